using System.Net;
using MeshNet.ControlPlane.Compilation;
using MeshNet.ControlPlane.Indexing;
using MeshNet.Dns;
using MeshNet.Dns.Server;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.ClusterDns;

/// <summary>
/// The control plane's own cluster DNS listener (universal mode's "kube-dns"): it answers from the same DNS
/// messages the sidecars receive, rebuilt on every published index, and forwards other names to the host's
/// resolver. Disabled (every call a no-op) when no --dns endpoint is configured.
/// </summary>
internal sealed partial class ClusterDnsHost : IAsyncDisposable
{
    private readonly IPEndPoint? _endPoint;
    private readonly IPEndPoint? _upstream;
    private readonly MeshConfigCompiler _compiler;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger<ClusterDnsHost> _logger;
    private readonly DnsResponder _responder;
    private readonly Lock _lock = new();
    private DnsServer? _server;
    private MeshIndex? _built;

    public ClusterDnsHost(IPEndPoint? endPoint, IPEndPoint? upstream, MeshConfigCompiler compiler, ILoggerFactory loggerFactory)
    {
        _endPoint = endPoint;
        _upstream = upstream;
        _compiler = compiler;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<ClusterDnsHost>();
        _responder = new DnsResponder(DnsRecordTable.Empty(), recursionAvailable: upstream is not null);
    }

    public bool Enabled => _endPoint is not null;

    /// <summary>The bound endpoint (the real port when 0 was asked for); null before <see cref="Start"/> or when disabled.</summary>
    public IPEndPoint? LocalEndPoint => _server?.LocalEndPoint;

    public DnsRecordTable Table => _responder.Table;

    public void Start()
    {
        if (_endPoint is null || _server is not null)
        {
            return;
        }

        _server = new DnsServer(_responder, new DnsServerOptions
        {
            EndPoint = _endPoint,
            Forwarder = _upstream is null ? null : new DnsUpstreamForwarder(_upstream).Forwarder,
        }, _loggerFactory.CreateLogger<DnsServer>());
        _server.Start();
        LogListening(_server.LocalEndPoint, _upstream);
    }

    /// <summary>Rebuilds the table from <paramref name="index"/>; called by the update loop after each publish.</summary>
    public void Update(MeshIndex index)
    {
        ArgumentNullException.ThrowIfNull(index);
        if (!Enabled)
        {
            return;
        }

        lock (_lock)
        {
            if (ReferenceEquals(index, _built))
            {
                return;
            }

            var (services, zone) = _compiler.CompileDns(index);
            var table = DnsTableTranslator.Build(services, zone, index.Snapshot.Version);
            _responder.Update(table);
            _built = index;
            foreach (var error in table.Errors)
            {
                LogTableError(error);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster DNS listening on {EndPoint} (udp+tcp), upstream {Upstream}")]
    private partial void LogListening(IPEndPoint endPoint, IPEndPoint? upstream);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster DNS skipped input: {Error}")]
    private partial void LogTableError(string error);
}
