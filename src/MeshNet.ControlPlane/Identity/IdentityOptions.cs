namespace MeshNet.ControlPlane.Identity;

/// <summary>The CA's flags: trust domain, leaf lifetime and where the signing certificate comes from.</summary>
/// <param name="CaCertFile">PEM: the signing certificate first, then its issuers up to and including the root.</param>
/// <param name="CaKeyFile">PEM private key of the first certificate in <paramref name="CaCertFile"/>.</param>
/// <param name="CaBundleExtraFile">PEM roots added to the trust bundle (the new or old root while the anchor rotates).</param>
internal sealed record IdentityOptions(
    string TrustDomain,
    TimeSpan CertTtl,
    string? CaCertFile = null,
    string? CaKeyFile = null,
    string? CaBundleExtraFile = null)
{
    /// <summary>Short enough for rotation tests, long enough that a renewal at half-life is not a busy loop.</summary>
    public static readonly TimeSpan MinimumCertTtl = TimeSpan.FromMinutes(1);

    /// <summary>A leaf's notBefore lies this far in the past so a peer whose clock runs a little behind accepts it.</summary>
    public static readonly TimeSpan Backdate = TimeSpan.FromMinutes(1);

    /// <summary>A P-256 CSR with one SAN is about 300 bytes and RSA-4096 under 2 KiB; anything near 8 KiB is abuse.</summary>
    public const int MaxCsrBytes = 8 * 1024;

    public static IdentityOptions Default { get; } = new("cluster.local", TimeSpan.FromHours(24));
}
