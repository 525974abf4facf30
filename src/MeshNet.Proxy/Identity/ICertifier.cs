namespace MeshNet.Proxy.Identity;

/// <summary>Signs the sidecar's CSR (the control plane's Certify call in production).</summary>
internal interface ICertifier
{
    /// <summary>
    /// Throws <see cref="CertifyRefusedException"/> when the signer answered with a refusal, anything else when it
    /// could not be reached (both are retried with backoff by the renewer).
    /// </summary>
    Task<IssuedCertificate> CertifyAsync(byte[] csrDer, CancellationToken cancellationToken);
}

/// <param name="ChainDer">The leaf first, then any intermediates up to (not including) a trust anchor.</param>
/// <param name="TrustBundleDer">The trust anchors peers' chains are verified against.</param>
internal sealed record IssuedCertificate(IReadOnlyList<byte[]> ChainDer, IReadOnlyList<byte[]> TrustBundleDer);

internal sealed class CertifyRefusedException(string reason) : Exception(reason);
