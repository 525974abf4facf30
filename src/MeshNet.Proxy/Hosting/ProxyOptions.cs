using System.Collections.Immutable;
using System.Net;
using MeshNet.Proxy.Gateway;

namespace MeshNet.Proxy.Hosting;

/// <summary>Everything the command line decides; immutable once parsed.</summary>
internal sealed record ProxyOptions
{
    public Uri ControlPlane { get; init; } = new("http://127.0.0.1:15010");

    /// <summary>Workload name; defaults to the machine name, as a pod's hostname would be.</summary>
    public string Name { get; init; } = Environment.MachineName;

    public string Namespace { get; init; } = "default";

    public ImmutableDictionary<string, string> Labels { get; init; } = ImmutableDictionary<string, string>.Empty;

    public string ServiceAccount { get; init; } = "default";

    /// <summary>The pod's annotations (meshnet.io/access-log, ...), sent to the control plane in the Node.</summary>
    public ImmutableDictionary<string, string> Annotations { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>
    /// The admin "IP:port" the control plane scrapes /metrics at, when the bound admin address is not reachable from it
    /// (a pod's loopback); null advertises the bound admin endpoint.
    /// </summary>
    public string? AdminAdvertise { get; init; }

    /// <summary>Request metrics, TCP counters and the access log; off only to measure what they cost (/metrics still serves).</summary>
    public bool Metrics { get; init; } = true;

    /// <summary>spec.hostname of the pod, or empty.</summary>
    public string Hostname { get; init; } = string.Empty;

    /// <summary>spec.subdomain of the pod, or empty.</summary>
    public string Subdomain { get; init; } = string.Empty;

    public IPAddress AppAddress { get; init; } = IPAddress.Loopback;

    /// <summary>The app's default port; 0 when not given (the control plane's default port is used then).</summary>
    public int AppPort { get; init; }

    /// <summary>Named container ports, as "--port http=8080".</summary>
    public ImmutableArray<NamedPort> Ports { get; init; } = [];

    public IPEndPoint Inbound { get; init; } = new(IPAddress.Loopback, 15006);

    public IPEndPoint Outbound { get; init; } = new(IPAddress.Loopback, 15001);

    public IPEndPoint Admin { get; init; } = new(IPAddress.Loopback, 15000);

    /// <summary>Gateway role: extra listeners, each routed like outbound requests to one virtual host.</summary>
    public ImmutableArray<ExposedListener> Exposes { get; init; } = [];

    /// <summary>HTTP GET path probed on the app; null means a TCP connect probe.</summary>
    public string? ReadinessPath { get; init; }

    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Consecutive failed probes before a ready app is reported unready (Kubernetes' failureThreshold, same
    /// default): one slow probe on a busy machine must not pull a healthy endpoint out of every client.
    /// </summary>
    public int ProbeFailureThreshold { get; init; } = 3;

    /// <summary>
    /// The DNS proxy's address when given with --dns (failing to bind it fails startup). Null means the default,
    /// the outbound listener's address on port 15053, bound best-effort: in loopback mode several sidecars share
    /// 127.0.0.1 and only one can own that port, the others still proxy HTTP.
    /// </summary>
    public IPEndPoint? Dns { get; init; }

    /// <summary>--dns off.</summary>
    public bool DnsDisabled { get; init; }

    /// <summary>Where names outside the cluster zone go; null means the first usable nameserver of /etc/resolv.conf.</summary>
    public IPEndPoint? DnsUpstream { get; init; }

    /// <summary>SO_MARK on the sidecar's own upstream sockets, so interception rules let them pass; 0 disables.</summary>
    public uint Mark { get; init; } = DefaultMark;

    /// <summary>
    /// The join token the control plane's Certify call authenticates this sidecar with; null means mTLS is off
    /// (no identity: plaintext in and out).
    /// </summary>
    public string? JoinToken { get; init; }

    /// <summary>
    /// Kubernetes mode: the file holding the pod's projected ServiceAccount token, sent as the Certify bearer when no
    /// join token is given. Read on every call, because the kubelet rotates it.
    /// </summary>
    public string? ServiceAccountTokenFile { get; init; }

    /// <summary>Whether this sidecar has a credential to get a certificate with, and so serves mTLS.</summary>
    public bool HasIdentityCredential => JoinToken is not null || ServiceAccountTokenFile is not null;

    /// <summary>
    /// PEM bundle the control plane's https:// certificate must chain to (--control-plane-ca); null with https:// means
    /// the machine's roots.
    /// </summary>
    public string? ControlPlaneCa { get; init; }

    /// <summary>Trust domain of this sidecar's SPIFFE ID and of every peer it accepts.</summary>
    public string TrustDomain { get; init; } = "cluster.local";

    /// <summary>Span export and sampling (--otlp-endpoint, --otlp-protocol, --trace-sampling, OTEL_* variables); off by default.</summary>
    public Telemetry.Tracing.TracingOptions Tracing { get; init; } = Telemetry.Tracing.TracingOptions.Off;

    public const uint DefaultMark = 1337;

    public const int DefaultDnsPort = 15053;

    /// <summary>Where the DNS proxy listens, and whether failing to bind there must stop the sidecar.</summary>
    public (IPEndPoint EndPoint, bool Required)? DnsListener =>
        DnsDisabled ? null : Dns is { } dns ? (dns, true) : (new IPEndPoint(Outbound.Address, DefaultDnsPort), false);
}

internal sealed record NamedPort(string Name, int Port);
