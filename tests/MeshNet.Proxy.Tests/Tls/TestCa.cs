using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MeshNet.Proxy.Identity;

namespace MeshNet.Proxy.Tests.Tls;

/// <summary>A certificate authority built in the test: an ECDSA P-256 root that signs SPIFFE leaves and CSRs.</summary>
internal sealed class TestCa : IDisposable
{
    private long _serial = 1;

    public TestCa(string name = "MeshNet Test Root", DateTimeOffset? notBefore = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var start = notBefore ?? DateTimeOffset.UtcNow.AddDays(-1);
        Root = request.CreateSelfSigned(start, start.AddYears(1));
    }

    public X509Certificate2 Root { get; }

    /// <summary>Signs a CSR's key with the identity of its URI SAN, as the control plane's CA does.</summary>
    public X509Certificate2 SignCsr(byte[] csrDer, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var csr = CertificateRequest.LoadSigningRequest(csrDer, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        var san = csr.CertificateExtensions.Single(e => e.Oid?.Value == "2.5.29.17");
        var request = new CertificateRequest(csr.SubjectName, csr.PublicKey, HashAlgorithmName.SHA256);
        AddLeafExtensions(request);
        request.CertificateExtensions.Add(san);
        return request.Create(Root, notBefore, notAfter, NextSerial());
    }

    /// <summary>A leaf with its key, for test clients; any URI SAN (or none), any validity.</summary>
    public X509Certificate2 Issue(string? uriSan, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName(uriSan is null ? "CN=no-spiffe" : string.Empty), key, HashAlgorithmName.SHA256);
        AddLeafExtensions(request);
        if (uriSan is not null)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddUri(new Uri(uriSan));
            request.CertificateExtensions.Add(san.Build(critical: true));
        }

        var from = notBefore ?? DateTimeOffset.UtcNow.AddMinutes(-1);
        using var leaf = request.Create(Root, from, notAfter ?? from.AddHours(1), NextSerial());
        return leaf.CopyWithPrivateKey(key);
    }

    public void Dispose() => Root.Dispose();

    private static void AddLeafExtensions(CertificateRequest request)
    {
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
    }

    private byte[] NextSerial() => new BigInteger(Interlocked.Increment(ref _serial)).ToByteArray(isUnsigned: true, isBigEndian: true);
}

/// <summary>An <see cref="ICertifier"/> that signs every CSR at once with a <see cref="TestCa"/>, for a given lifetime.</summary>
/// <param name="otherRoots">More roots for the bundle, as while a trust anchor rotates.</param>
internal sealed class TestCaCertifier(TestCa ca, TimeSpan lifetime, TimeProvider? time = null, params TestCa[] otherRoots) : ICertifier
{
    private int _issued;

    public int Issued => Volatile.Read(ref _issued);

    public Task<IssuedCertificate> CertifyAsync(byte[] csrDer, CancellationToken cancellationToken)
    {
        var now = (time ?? TimeProvider.System).GetUtcNow();
        using var leaf = ca.SignCsr(csrDer, now.AddSeconds(-1), now + lifetime);
        Interlocked.Increment(ref _issued);
        return Task.FromResult(new IssuedCertificate([leaf.RawData], [ca.Root.RawData, .. otherRoots.Select(o => o.Root.RawData)]));
    }
}
