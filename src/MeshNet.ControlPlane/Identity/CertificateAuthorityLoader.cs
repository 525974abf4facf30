using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Identity;

/// <summary>
/// Where the CA comes from, in order: the operator's files (--ca-cert/--ca-key: a root, or an intermediate under
/// their own root), in Kubernetes mode a Secret (see <see cref="CaSecretSource"/>), the state directory (generated
/// on first start and reused after), or memory (generated per
/// process: every restart invalidates all issued leaves, so it warns).
/// </summary>
internal static partial class CertificateAuthorityLoader
{
    public const string CertFileName = "ca.crt";
    public const string KeyFileName = "ca.key";

    /// <summary>Long-lived: rotating it is the three-phase trust-anchor rotation, not a routine event.</summary>
    public static readonly TimeSpan RootLifetime = TimeSpan.FromDays(3650);

    /// <exception cref="InvalidDataException">A file is missing, unreadable, mismatched, expired or not a CA.</exception>
    public static CertificateAuthority Load(IdentityOptions options, string? stateDirectory, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        var extra = ReadExtraRoots(options);
        if (options.CaCertFile is { } certFile && options.CaKeyFile is { } keyFile)
        {
            var authority = FromFiles(certFile, keyFile, extra, "--ca-cert", time);
            Log.LoadedFromFiles(logger, authority.Signer.Subject, certFile, authority.Signer.NotAfter.ToUniversalTime());
            return authority;
        }

        if (options.CaCertFile is not null || options.CaKeyFile is not null)
        {
            throw new InvalidDataException("--ca-cert and --ca-key go together");
        }

        if (stateDirectory is null)
        {
            Log.InMemory(logger);
            return FromRoot(GenerateRoot(options.TrustDomain, time), extra);
        }

        var certPath = Path.Combine(stateDirectory, CertFileName);
        var keyPath = Path.Combine(stateDirectory, KeyFileName);
        if (File.Exists(certPath) || File.Exists(keyPath))
        {
            if (File.Exists(keyPath) && SecretFile.IsExposed(keyPath))
            {
                Log.KeyExposed(logger, keyPath);
            }

            return FromFiles(certPath, keyPath, extra, "--state-dir", time);
        }

        Directory.CreateDirectory(stateDirectory);
        var root = GenerateRoot(options.TrustDomain, time);
        var pem = ExportPem(root);
        // Key first: a crash between the two writes leaves a key without a certificate, which fails loudly
        // at the next start instead of silently pairing a certificate with a missing key.
        SecretFile.Write(keyPath, System.Text.Encoding.ASCII.GetBytes(pem.Key));
        File.WriteAllText(certPath, pem.Certificate);
        Log.Generated(logger, root.Subject, stateDirectory);
        return FromRoot(root, extra);
    }

    /// <summary>
    /// The CA as the files say now, for a reload while running: the operator's files, or the state directory's, each
    /// with the extra roots. A CA generated in memory keeps its signer (there is nothing to re-read) and only takes the
    /// extra roots again.
    /// </summary>
    /// <exception cref="InvalidDataException">As <see cref="Load"/>: the caller keeps <paramref name="current"/> in force.</exception>
    public static CertificateAuthority Reload(IdentityOptions options, string? stateDirectory, CertificateAuthority current, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(current);
        var extra = ReadExtraRoots(options);
        if (options.CaCertFile is { } certFile && options.CaKeyFile is { } keyFile)
        {
            return FromFiles(certFile, keyFile, extra, "--ca-cert", time);
        }

        if (stateDirectory is not null)
        {
            return FromFiles(Path.Combine(stateDirectory, CertFileName), Path.Combine(stateDirectory, KeyFileName), extra, "--state-dir", time);
        }

        return new CertificateAuthority(current.Signer, [], Distinct([X509CertificateLoader.LoadCertificate(current.Signer.RawData), .. extra]));
    }

    /// <summary>The files a reload reads, in a fixed order: a change to any of them is a reason to reload.</summary>
    public static IReadOnlyList<string> WatchedFiles(IdentityOptions options, string? stateDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        var files = new List<string>(3);
        if (options.CaCertFile is { } certFile && options.CaKeyFile is { } keyFile)
        {
            files.Add(certFile);
            files.Add(keyFile);
        }
        else if (stateDirectory is not null)
        {
            files.Add(Path.Combine(stateDirectory, CertFileName));
            files.Add(Path.Combine(stateDirectory, KeyFileName));
        }

        if (options.CaBundleExtraFile is { } extra)
        {
            files.Add(extra);
        }

        return files;
    }

    /// <summary>A self-signed ECDSA P-256 root for <paramref name="trustDomain"/>, its key held in memory.</summary>
    public static X509Certificate2 GenerateRoot(string trustDomain, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddOrganizationName("MeshNet");
        subject.AddCommonName($"MeshNet root CA for {trustDomain}");
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = time.GetUtcNow();
        // Backdated an hour: leaves are backdated a minute and must not start before their issuer.
        return request.CreateSelfSigned(now - TimeSpan.FromHours(1), now + RootLifetime);
    }

    private static CertificateAuthority FromRoot(X509Certificate2 root, IReadOnlyList<X509Certificate2> extra) =>
        new(root, [], Distinct([X509CertificateLoader.LoadCertificate(root.RawData), .. extra]));

    /// <summary>
    /// An empty (or blank) extra file means no extra roots: the third rotation phase empties it. A missing file or
    /// one with anything but PEM certificates is an error, never "no roots", so a half-written file cannot drop a
    /// root that live leaves still chain to.
    /// </summary>
    private static List<X509Certificate2> ReadExtraRoots(IdentityOptions options)
    {
        if (options.CaBundleExtraFile is not { } file)
        {
            return [];
        }

        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"--ca-bundle-extra: cannot read {file}: {ex.Message}", ex);
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        var roots = ReadCertificates(file, "--ca-bundle-extra");
        foreach (var root in roots)
        {
            var basic = root.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
            if (basic is not { CertificateAuthority: true })
            {
                throw new InvalidDataException($"--ca-bundle-extra: {file}: {root.Subject} is not a CA certificate (needs basicConstraints CA:true)");
            }
        }

        return roots;
    }

    /// <summary>As the extra file: blank means no extra roots, anything else must be PEM CA certificates only.</summary>
    private static List<X509Certificate2> ParseExtraRoots(string? pem, string origin, string name)
    {
        if (string.IsNullOrWhiteSpace(pem))
        {
            return [];
        }

        var roots = ParseCertificates(pem, origin, name);
        foreach (var root in roots)
        {
            var basic = root.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
            if (basic is not { CertificateAuthority: true })
            {
                throw new InvalidDataException($"{origin}: {name}: {root.Subject} is not a CA certificate (needs basicConstraints CA:true)");
            }
        }

        return roots;
    }

    /// <summary>The same root named twice (in --ca-cert and in the extra file during a rotation) is sent once.</summary>
    private static ImmutableArray<X509Certificate2> Distinct(IEnumerable<X509Certificate2> roots) =>
        [.. roots.DistinctBy(c => c.Thumbprint, StringComparer.OrdinalIgnoreCase)];

    private static CertificateAuthority FromFiles(string certFile, string keyFile, IReadOnlyList<X509Certificate2> extra, string flag, TimeProvider time)
    {
        X509Certificate2 signer;
        try
        {
            signer = X509Certificate2.CreateFromPemFile(certFile, keyFile);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new InvalidDataException($"{flag}: cannot load the CA certificate {certFile} with its key {keyFile}: {ex.Message}", ex);
        }

        return FromSigner(signer, () => ReadCertificates(certFile, flag), extra, flag, certFile, time);
    }

    /// <summary>
    /// The CA from PEM text held elsewhere than in files (a Kubernetes Secret): <paramref name="certificatePem"/> is the
    /// signer first, then any issuers; <paramref name="issuersPem"/> adds more issuers (up to the root);
    /// <paramref name="extraRootsPem"/> adds roots to trust besides (the holder's counterpart of --ca-bundle-extra, whose
    /// roots are added as well).
    /// </summary>
    /// <param name="origin">Names the holder in error messages, e.g. "Secret meshnet-system/meshnet-ca".</param>
    /// <exception cref="InvalidDataException">Naming <paramref name="origin"/> and the entry at fault.</exception>
    public static CertificateAuthority FromPem(
        string certificatePem,
        string keyPem,
        string? issuersPem,
        string? extraRootsPem,
        IdentityOptions options,
        string origin,
        (string Certificate, string Key, string Issuers, string ExtraRoots) names,
        TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        X509Certificate2 signer;
        try
        {
            signer = X509Certificate2.CreateFromPem(certificatePem, keyPem);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            throw new InvalidDataException($"{origin}: cannot load the CA certificate {names.Certificate} with its key {names.Key}: {ex.Message}", ex);
        }

        return FromSigner(
            signer,
            () => [.. ParseCertificates(certificatePem, origin, names.Certificate), .. issuersPem is null ? [] : ParseCertificates(issuersPem, origin, names.Issuers)],
            [.. ReadExtraRoots(options), .. ParseExtraRoots(extraRootsPem, origin, names.ExtraRoots)],
            origin,
            names.Certificate,
            time);
    }

    /// <summary>The key and certificate PEM of a root from <see cref="GenerateRoot"/>, for whatever persists it.</summary>
    public static (string Certificate, string Key) ExportPem(X509Certificate2 root)
    {
        ArgumentNullException.ThrowIfNull(root);
        using var key = root.GetECDsaPrivateKey()!;
        return (root.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n");
    }

    /// <summary>A CA that signs with a freshly generated root (and trusts the extra roots as well).</summary>
    public static CertificateAuthority FromGeneratedRoot(X509Certificate2 root, IdentityOptions options) => FromRoot(root, ReadExtraRoots(options));

    /// <param name="chain">All certificates of the holder, the signer first; read only once the signer passed its own checks.</param>
    private static CertificateAuthority FromSigner(
        X509Certificate2 signer, Func<List<X509Certificate2>> chain, IReadOnlyList<X509Certificate2> extra, string flag, string certFile, TimeProvider time)
    {
        var basic = signer.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        var usage = signer.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        if (basic is not { CertificateAuthority: true } || (usage is not null && !usage.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign)))
        {
            throw new InvalidDataException($"{flag}: {certFile}: {signer.Subject} is not a CA certificate (needs basicConstraints CA:true and keyCertSign)");
        }

        var now = time.GetUtcNow();
        if (signer.NotAfter.ToUniversalTime() <= now)
        {
            throw new InvalidDataException($"{flag}: {certFile}: the CA certificate expired at {signer.NotAfter.ToUniversalTime():u}");
        }

        var all = chain();
        var roots = all.Where(IsSelfSigned).ToList();
        var intermediates = all.Skip(1).Where(c => !IsSelfSigned(c)).ToList();
        if (!IsSelfSigned(signer))
        {
            intermediates.Insert(0, all[0]);
        }

        var bundle = Distinct(roots.Concat(extra));
        if (bundle.IsEmpty)
        {
            throw new InvalidDataException($"{flag}: {certFile} holds no root certificate: append the root the CA chains to (or name it in --ca-bundle-extra)");
        }

        RequireChain(signer, intermediates, bundle, now, flag, certFile);
        return new CertificateAuthority(signer, [.. intermediates], bundle);
    }

    /// <summary>Refuses at start-up a CA whose leaves no peer could verify, instead of failing every handshake later.</summary>
    private static void RequireChain(X509Certificate2 signer, List<X509Certificate2> intermediates, ImmutableArray<X509Certificate2> bundle, DateTimeOffset now, string flag, string certFile)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.CustomTrustStore.AddRange(bundle.ToArray());
        chain.ChainPolicy.ExtraStore.AddRange(intermediates.ToArray());
        if (!chain.Build(signer))
        {
            var status = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()));
            throw new InvalidDataException($"{flag}: {certFile}: {signer.Subject} does not chain to a root of the trust bundle: {status}");
        }
    }

    private static bool IsSelfSigned(X509Certificate2 certificate) =>
        certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData);

    private static List<X509Certificate2> ReadCertificates(string file, string flag)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(file);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{flag}: cannot read certificates from {file}: {ex.Message}", ex);
        }

        return certificates.Count > 0 ? [.. certificates] : throw new InvalidDataException($"{flag}: {file} holds no PEM certificate");
    }

    private static List<X509Certificate2> ParseCertificates(string pem, string origin, string name)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(pem);
        }
        catch (CryptographicException ex)
        {
            throw new InvalidDataException($"{origin}: cannot read certificates from {name}: {ex.Message}", ex);
        }

        return certificates.Count > 0 ? [.. certificates] : throw new InvalidDataException($"{origin}: {name} holds no PEM certificate");
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "CA: signing with {Subject} from {File}, valid until {NotAfter:u}")]
        public static partial void LoadedFromFiles(ILogger logger, string subject, string file, DateTime notAfter);

        [LoggerMessage(2, LogLevel.Information, "CA: generated root {Subject}; kept in {Directory}")]
        public static partial void Generated(ILogger logger, string subject, string directory);

        [LoggerMessage(3, LogLevel.Warning, "CA: no --state-dir and no --ca-cert: generated a root in memory; every certificate it signs stops verifying when this process restarts")]
        public static partial void InMemory(ILogger logger);

        [LoggerMessage(4, LogLevel.Warning, "CA: {File} is readable by group or others; it should be mode 0600")]
        public static partial void KeyExposed(ILogger logger, string file);
    }
}
