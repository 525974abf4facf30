using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Grpc.Core;
using static MeshNet.ControlPlane.Tests.Identity.TestCsr;

namespace MeshNet.ControlPlane.Tests.Identity;

/// <summary>Every fault a CSR can have, each built here with System.Security.Cryptography, and the one reason it earns.</summary>
public sealed class CsrRefusalTests : IDisposable
{
    private readonly IdentityFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    public static TheoryData<string, StatusCode, string> Refusals => new()
    {
        { "oversized", StatusCode.InvalidArgument, "CSR is 9000 bytes, more than the 8192 allowed" },
        { "garbage", StatusCode.InvalidArgument, "CSR is not a DER PKCS#10 certification request" },
        { "trailing-bytes", StatusCode.InvalidArgument, "CSR is not a DER PKCS#10 certification request" },
        { "bad-signature", StatusCode.InvalidArgument, "CSR signature does not verify" },
        { "rsa-1024", StatusCode.InvalidArgument, "RSA key of 1024 bits is too weak (at least 2048)" },
        { "ec-p521", StatusCode.InvalidArgument, "EC key on curve 1.3.132.0.35 is not allowed (P-256 or P-384 only)" },
        { "subject-control-character", StatusCode.InvalidArgument, "CSR subject contains a control or non-ASCII character" },
        { "subject-non-ascii", StatusCode.InvalidArgument, "CSR subject contains a control or non-ASCII character" },
        { "san-control-character", StatusCode.InvalidArgument, "CSR subject alternative name contains a control, space or non-ASCII character" },
        { "san-non-ascii", StatusCode.InvalidArgument, "CSR subject alternative name contains a control, space or non-ASCII character" },
        { "no-san", StatusCode.InvalidArgument, $"CSR has no subject alternative name; it must carry exactly the URI SAN {Posts}" },
        { "extra-dns-san", StatusCode.InvalidArgument, $"CSR asks for a DNS name SAN; only the URI SAN {Posts} is allowed" },
        { "extra-ip-san", StatusCode.InvalidArgument, $"CSR asks for an IP address SAN; only the URI SAN {Posts} is allowed" },
        { "extra-email-san", StatusCode.InvalidArgument, $"CSR asks for an email address SAN; only the URI SAN {Posts} is allowed" },
        { "second-uri-san", StatusCode.InvalidArgument, $"CSR asks for a second URI SAN; only the URI SAN {Posts} is allowed" },
        { "dns-san-only", StatusCode.InvalidArgument, $"CSR asks for a DNS name SAN; only the URI SAN {Posts} is allowed" },
        { "not-a-spiffe-id", StatusCode.InvalidArgument, $"CSR URI SAN https://posts.blog/ is not a SPIFFE ID; it must be {Posts}" },
        { "other-service-account", StatusCode.PermissionDenied, $"CSR names spiffe://cluster.local/ns/blog/sa/comments but the join token is for {Posts}" },
        { "other-namespace", StatusCode.PermissionDenied, $"CSR names spiffe://cluster.local/ns/ops/sa/posts but the join token is for {Posts}" },
        { "other-trust-domain", StatusCode.PermissionDenied, "CSR names trust domain evil.example but this control plane's is cluster.local" },
        { "ca-true", StatusCode.InvalidArgument, "CSR requests CA:true; a workload certificate is never a CA" },
        { "key-cert-sign", StatusCode.InvalidArgument, "CSR requests key usage KeyCertSign; a leaf may have only digitalSignature, keyEncipherment and keyAgreement" },
        { "code-signing-eku", StatusCode.InvalidArgument, "CSR requests extended key usage 1.3.6.1.5.5.7.3.3; a leaf may have only serverAuth and clientAuth" },
        { "any-eku", StatusCode.InvalidArgument, "CSR requests extended key usage 2.5.29.37.0; a leaf may have only serverAuth and clientAuth" },
        { "duplicate-san", StatusCode.InvalidArgument, "CSR repeats extension 2.5.29.17" },
        { "unknown-critical-extension", StatusCode.InvalidArgument, "CSR requests unsupported critical extension 1.3.6.1.4.1.99999.1" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Refuses_EachBadCsr_WithItsReason(string fault, StatusCode code, string reason)
    {
        var outcome = _fixture.Issuer.Certify(BadCsr(fault), _fixture.PostsToken, null);

        Assert.Null(outcome.Leaf);
        Assert.Equal((code, reason), (outcome.Refusal?.Code, outcome.Refusal?.Reason));
    }

    public static TheoryData<string> Acceptable => new() { "p256", "p384", "rsa-2048", "leaf-extensions-requested", "unknown-noncritical-extension", "subject-printable" };

    [Theory]
    [MemberData(nameof(Acceptable))]
    public void Signs_AWellFormedCsr(string variant)
    {
        var csr = variant switch
        {
            "p256" => Build(),
            "p384" => WithKey(ECDsa.Create(ECCurve.NamedCurves.nistP384)),
            "rsa-2048" => WithKey(RSA.Create(2048)),
            "leaf-extensions-requested" => Build(customize: r =>
            {
                r.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
                r.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
                r.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
                r.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(r.PublicKey, false));
            }),
            "unknown-noncritical-extension" => Build(customize: r => r.CertificateExtensions.Add(new X509Extension("1.3.6.1.4.1.99999.1", [5, 0], false))),
            "subject-printable" => Build(subject: new X500DistinguishedName("CN=posts-7d9f, O=blog")),
            _ => throw new ArgumentOutOfRangeException(nameof(variant)),
        };

        var outcome = _fixture.Issuer.Certify(csr, _fixture.PostsToken, null);

        Assert.Null(outcome.Refusal);
        Assert.NotNull(outcome.Leaf);
        Assert.Equal(Posts, outcome.Identity);
    }

    [Fact]
    public void Refuses_WithoutAToken_AsUnauthenticated()
    {
        var outcome = _fixture.Issuer.Certify(Build(), null, null);

        Assert.Equal((StatusCode.Unauthenticated, "no join token (CertifyRequest.token or authorization: Bearer)"), (outcome.Refusal?.Code, outcome.Refusal?.Reason));
    }

    [Fact]
    public void Refuses_AnUnknownToken()
    {
        var outcome = _fixture.Issuer.Certify(Build(), "mnjt_not-a-token-this-store-issued", null);

        Assert.Equal((StatusCode.PermissionDenied, "join token unknown"), (outcome.Refusal?.Code, outcome.Refusal?.Reason));
    }

    [Fact]
    public void Refuses_AnExpiredToken()
    {
        _fixture.Time.Advance(TimeSpan.FromHours(1));

        var outcome = _fixture.Issuer.Certify(Build(), _fixture.PostsToken, null);

        Assert.Equal((StatusCode.PermissionDenied, "join token for blog/posts expired at 2026-11-26 13:00:00Z"), (outcome.Refusal?.Code, outcome.Refusal?.Reason));
    }

    [Fact]
    public void Refuses_ARequestedTtlBelowAMinute()
    {
        var outcome = _fixture.Issuer.Certify(Build(), _fixture.PostsToken, TimeSpan.FromSeconds(30));

        Assert.Equal((StatusCode.InvalidArgument, "requested ttl 00:00:30 is shorter than the minimum 00:01:00"), (outcome.Refusal?.Code, outcome.Refusal?.Reason));
    }

    private static byte[] WithKey(AsymmetricAlgorithm key)
    {
        using (key)
        {
            return Build(key: key);
        }
    }

    private static byte[] BadCsr(string fault) => fault switch
    {
        "oversized" => new byte[9000],
        "garbage" => Encoding.ASCII.GetBytes("-----BEGIN CERTIFICATE REQUEST-----"),
        "trailing-bytes" => [.. Build(), 0],
        "bad-signature" => FlipLastByte(Build()),
        "rsa-1024" => WithKey(RSA.Create(1024)),
        "ec-p521" => WithKey(ECDsa.Create(ECCurve.NamedCurves.nistP521)),
        "subject-control-character" => Build(subject: RawCommonName("posts\u001b[2J")),
        "subject-non-ascii" => Build(subject: RawCommonName("pöstś")),
        "san-control-character" => Build(uri: null, customize: r => r.CertificateExtensions.Add(RawUriSan(Encoding.ASCII.GetBytes(Posts + "\n")))),
        "san-non-ascii" => Build(uri: null, customize: r => r.CertificateExtensions.Add(RawUriSan([.. Encoding.ASCII.GetBytes(Posts), 0xC3, 0xA9]))),
        "no-san" => Build(uri: null),
        "extra-dns-san" => WithSan(san => san.AddDnsName("posts.blog.svc.cluster.local")),
        "extra-ip-san" => WithSan(san => san.AddIpAddress(System.Net.IPAddress.Parse("127.0.1.9"))),
        "extra-email-san" => WithSan(san => san.AddEmailAddress("posts@blog.example")),
        "second-uri-san" => WithSan(san => san.AddUri(new Uri("spiffe://cluster.local/ns/blog/sa/comments"))),
        "dns-san-only" => Build(uri: null, customize: r =>
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName("posts.blog");
            r.CertificateExtensions.Add(san.Build());
        }),
        "not-a-spiffe-id" => Build(uri: "https://posts.blog"),
        "other-service-account" => Build(uri: "spiffe://cluster.local/ns/blog/sa/comments"),
        "other-namespace" => Build(uri: "spiffe://cluster.local/ns/ops/sa/posts"),
        "other-trust-domain" => Build(uri: "spiffe://evil.example/ns/blog/sa/posts"),
        "ca-true" => Build(customize: r => r.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true))),
        "key-cert-sign" => Build(customize: r => r.CertificateExtensions.Add(
            new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, true))),
        "code-signing-eku" => Build(customize: r => r.CertificateExtensions.Add(
            new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2"), new Oid("1.3.6.1.5.5.7.3.3")], false))),
        "any-eku" => Build(customize: r => r.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("2.5.29.37.0")], false))),
        "duplicate-san" => Build(customize: r => r.CertificateExtensions.Add(SanWith(Posts).Build())),
        "unknown-critical-extension" => Build(customize: r => r.CertificateExtensions.Add(new X509Extension("1.3.6.1.4.1.99999.1", [5, 0], true))),
        _ => throw new ArgumentOutOfRangeException(nameof(fault)),
    };

    private static byte[] WithSan(Action<SubjectAlternativeNameBuilder> more) => Build(uri: null, customize: r =>
    {
        var san = SanWith(Posts);
        more(san);
        r.CertificateExtensions.Add(san.Build());
    });

    /// <summary>The last byte is inside the signature value, so the DER stays well-formed but the signature breaks.</summary>
    private static byte[] FlipLastByte(byte[] der)
    {
        der[^1] ^= 0x01;
        return der;
    }
}
