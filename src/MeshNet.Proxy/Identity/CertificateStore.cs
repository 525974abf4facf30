using System.Security.Cryptography.X509Certificates;
using MeshNet.Proxy.Hosting;

namespace MeshNet.Proxy.Identity;

/// <summary>
/// Holds the current certificate; the renewer is its only writer of leaves, the trust-bundle follower of pushed roots.
/// Roots pushed over discovery win over the bundle a Certify reply carried, for the current leaf and every later one:
/// the push is the control plane's latest word, a Certify reply may have been signed just before a change.
/// </summary>
internal sealed class CertificateStore(ProxyOptions options) : ICertificateSource
{
    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();
    private MeshCertificate? _current;
    private X509Certificate2Collection? _pushedBundle;

    public bool Enabled { get; } = options.HasIdentityCredential;

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
        ArgumentNullException.ThrowIfNull(certificate);
        lock (_lock)
        {
            Volatile.Write(ref _current, _pushedBundle is { } pushed ? certificate.WithTrustBundle(pushed) : certificate);
        }

        _first.TrySetResult();
    }

    /// <summary>Peers are checked against <paramref name="roots"/> from the next handshake on, whatever leaf this sidecar holds.</summary>
    public void SetPushedTrustBundle(X509Certificate2Collection roots)
    {
        ArgumentNullException.ThrowIfNull(roots);
        lock (_lock)
        {
            _pushedBundle = roots;
            if (_current is { } current)
            {
                Volatile.Write(ref _current, current.WithTrustBundle(roots));
            }
        }
    }
}
