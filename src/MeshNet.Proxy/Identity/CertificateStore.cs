using MeshNet.Proxy.Hosting;

namespace MeshNet.Proxy.Identity;

/// <summary>Holds the current certificate; the renewer is its only writer.</summary>
internal sealed class CertificateStore(ProxyOptions options) : ICertificateSource
{
    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private MeshCertificate? _current;

    public bool Enabled { get; } = options.JoinToken is not null;

    public string TrustDomain { get; } = options.TrustDomain;

    /// <summary>The identity this sidecar asks to be certified as.</summary>
    public SpiffeId Identity { get; } = new(options.TrustDomain, options.Namespace, options.ServiceAccount);

    public MeshCertificate? Current => Volatile.Read(ref _current);

    /// <summary>Completes when the first certificate is stored: from then on this sidecar serves mTLS as <see cref="Identity"/>.</summary>
    public Task FirstCertificate => _first.Task;

    /// <summary>The SPIFFE ID this sidecar serves, once it holds a certificate; empty before (and without a token).</summary>
    public string ServedIdentity => Current is null ? string.Empty : Identity.ToString();

    public void Set(MeshCertificate certificate)
    {
        Interlocked.Exchange(ref _current, certificate);
        _first.TrySetResult();
    }
}
