using MeshNet.Proxy.Hosting;

namespace MeshNet.Proxy.Identity;

/// <summary>Holds the current certificate; the renewer is its only writer.</summary>
internal sealed class CertificateStore(ProxyOptions options) : ICertificateSource
{
    private MeshCertificate? _current;

    public bool Enabled { get; } = options.JoinToken is not null;

    public string TrustDomain { get; } = options.TrustDomain;

    /// <summary>The identity this sidecar asks to be certified as.</summary>
    public SpiffeId Identity { get; } = new(options.TrustDomain, options.Namespace, options.ServiceAccount);

    public MeshCertificate? Current => Volatile.Read(ref _current);

    public void Set(MeshCertificate certificate) => Interlocked.Exchange(ref _current, certificate);
}
