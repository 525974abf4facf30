namespace MeshNet.Proxy.Identity;

/// <summary>
/// The sidecar's current identity, read on every handshake. A rotation replaces it atomically: handshakes already
/// under way finish with the certificate they picked up, new ones get the new certificate.
/// </summary>
internal interface ICertificateSource
{
    /// <summary>False when no join token was given: the sidecar speaks plaintext only, as before mTLS.</summary>
    bool Enabled { get; }

    /// <summary>The trust domain peers' SPIFFE IDs must belong to.</summary>
    string TrustDomain { get; }

    /// <summary>Null until the first certificate arrives (and always when not <see cref="Enabled"/>).</summary>
    MeshCertificate? Current { get; }
}
