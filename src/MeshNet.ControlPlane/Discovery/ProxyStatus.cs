using System.Collections.Immutable;

namespace MeshNet.ControlPlane.Discovery;

/// <summary>What the admin API shows about one connected sidecar. Mutated only by its own stream; read by the admin API.</summary>
internal sealed class ProxyStatus
{
    private readonly Lock _lock = new();
    private bool _ready;
    private string _ackedVersion = string.Empty;
    private string _sentVersion = string.Empty;
    private NackRecord? _lastNack;
    private DateTimeOffset? _ackedAt;

    public ProxyStatus(
        string name,
        string ns,
        string address,
        int inboundPort,
        ImmutableDictionary<string, string> labels,
        string serviceAccount,
        bool ready,
        DateTimeOffset connectedAt)
    {
        Name = name;
        Namespace = ns;
        Address = address;
        InboundPort = inboundPort;
        Labels = labels;
        ServiceAccount = serviceAccount;
        ConnectedAt = connectedAt;
        _ready = ready;
    }

    public string Name { get; }

    public string Namespace { get; }

    public string Address { get; }

    public int InboundPort { get; }

    public ImmutableDictionary<string, string> Labels { get; }

    public string ServiceAccount { get; }

    public DateTimeOffset ConnectedAt { get; }

    public void SetReady(bool ready)
    {
        lock (_lock)
        {
            _ready = ready;
        }
    }

    public void RecordSent(string version)
    {
        lock (_lock)
        {
            _sentVersion = version;
        }
    }

    public void RecordAck(string version, DateTimeOffset at)
    {
        lock (_lock)
        {
            _ackedVersion = version;
            _ackedAt = at;
        }
    }

    public void RecordNack(NackRecord nack)
    {
        lock (_lock)
        {
            _lastNack = nack;
        }
    }

    public ProxyStatusView View()
    {
        lock (_lock)
        {
            return new ProxyStatusView(
                Name, Namespace, Address, InboundPort, Labels, ServiceAccount, _ready, ConnectedAt, _ackedVersion, _sentVersion, _lastNack, _ackedAt);
        }
    }
}

/// <summary>The last rejected response: the version and nonce the sidecar refused and why.</summary>
internal sealed record NackRecord(string Version, string Nonce, string Message, DateTimeOffset At);

/// <summary>An immutable copy of a <see cref="ProxyStatus"/> (the /debug/proxies JSON shape).</summary>
internal sealed record ProxyStatusView(
    string Name,
    string Namespace,
    string Address,
    int InboundPort,
    IReadOnlyDictionary<string, string> Labels,
    string ServiceAccount,
    bool Ready,
    DateTimeOffset ConnectedAt,
    string AckedVersion,
    string SentVersion,
    NackRecord? LastNack,
    DateTimeOffset? AckedAt = null);
