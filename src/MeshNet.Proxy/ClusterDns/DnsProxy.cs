using System.Net;
using System.Net.Sockets;
using MeshNet.Dns;
using MeshNet.Dns.Server;
using MeshNet.Proxy.Hosting;
using MeshNet.Proxy.Interception;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MeshNet.Proxy.ClusterDns;

/// <summary>
/// The sidecar's DNS proxy: answers cluster names from the last good streamed table (so it keeps answering while
/// the control plane is down) and forwards the rest upstream, or answers SERVFAIL when there is no upstream.
/// </summary>
internal sealed partial class DnsProxy(ProxyOptions options, SocketMarker marker, ILoggerFactory loggers, ILogger<DnsProxy> logger) : IHostedService, IAsyncDisposable
{
    private readonly DnsResponder _responder = new(DnsRecordTable.Empty(), recursionAvailable: true);
    private DnsServer? _server;

    /// <summary>The bound address, or null when disabled or not bound.</summary>
    public IPEndPoint? LocalEndPoint => _server?.LocalEndPoint;

    public IPEndPoint? Upstream { get; private set; }

    public DnsRecordTable Table => _responder.Table;

    /// <summary>Called with each accepted snapshot's table; the responder swaps it atomically.</summary>
    public void Update(DnsRecordTable table) => _responder.Update(table);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.DnsListener is not { } listener)
        {
            return;
        }

        IReadOnlyCollection<IPAddress> own = [options.Inbound.Address, options.Outbound.Address, listener.EndPoint.Address];
        Upstream = DnsUpstreamSelector.Select(options.DnsUpstream, DnsUpstreamSelector.ReadResolvConf(), own);
        DnsForwarder forwarder = Upstream is { } upstream ? new DnsUpstreamForwarder(upstream, marker.Apply).Forwarder : NoUpstreamAsync;
        var server = new DnsServer(_responder, new DnsServerOptions { EndPoint = listener.EndPoint, Forwarder = forwarder }, loggers.CreateLogger<DnsServer>());
        try
        {
            server.Start();
        }
        catch (SocketException ex)
        {
            await server.DisposeAsync().ConfigureAwait(false);
            if (listener.Required)
            {
                throw new IOException($"--dns {listener.EndPoint}: {ex.Message}", ex);
            }

            LogDefaultNotBound(logger, listener.EndPoint, ex.Message);
            return;
        }

        _server = server;
        LogListening(logger, server.LocalEndPoint, Upstream);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_server is { } server)
        {
            _server = null;
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    // An empty reply makes the server answer SERVFAIL, which tells a stub resolver to try its next nameserver.
    private static ValueTask<ReadOnlyMemory<byte>> NoUpstreamAsync(ReadOnlyMemory<byte> query, DnsTransport transport, CancellationToken cancellationToken) =>
        ValueTask.FromResult(ReadOnlyMemory<byte>.Empty);

    [LoggerMessage(Level = LogLevel.Information, Message = "DNS proxy listening on {EndPoint}, upstream {Upstream} (none: SERVFAIL for names outside the zone)")]
    private static partial void LogListening(ILogger logger, IPEndPoint endPoint, IPEndPoint? upstream);

    [LoggerMessage(Level = LogLevel.Warning, Message = "DNS proxy not started: the default address {EndPoint} is taken ({Reason}); pass --dns ADDR:PORT to choose one")]
    private static partial void LogDefaultNotBound(ILogger logger, IPEndPoint endPoint, string reason);
}
