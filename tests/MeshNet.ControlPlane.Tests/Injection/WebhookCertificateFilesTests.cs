using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MeshNet.ControlPlane.Injection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace MeshNet.ControlPlane.Tests.Injection;

/// <summary>cert-manager renews by swapping the mounted files; the webhook picks the new pair up without a restart.</summary>
public sealed class WebhookCertificateFilesTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("meshnet-webhook-files");
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    private string CertFile => Path.Combine(_directory.FullName, "tls.crt");

    private string KeyFile => Path.Combine(_directory.FullName, "tls.key");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public void Reloads_RenewedFiles_AfterTheRecheckPeriod()
    {
        var first = Write("CN=first", DateTime.UtcNow.AddMinutes(-10));
        var files = new WebhookCertificateFiles(CertFile, KeyFile, _time, NullLogger<WebhookCertificateFiles>.Instance);
        var second = Write("CN=second", DateTime.UtcNow);

        var beforeRecheck = files.Current.TargetCertificate.Thumbprint;
        _time.Advance(WebhookCertificateFiles.RecheckPeriod);
        var afterRecheck = files.Current.TargetCertificate.Thumbprint;

        Assert.Equal(first, beforeRecheck);
        Assert.Equal(second, afterRecheck);
    }

    [Fact]
    public void KeepsTheCurrentCertificate_WhenTheNewFilesDoNotLoad()
    {
        var first = Write("CN=first", DateTime.UtcNow.AddMinutes(-10));
        var files = new WebhookCertificateFiles(CertFile, KeyFile, _time, NullLogger<WebhookCertificateFiles>.Instance);
        File.WriteAllText(CertFile, "not a certificate");
        File.SetLastWriteTimeUtc(CertFile, DateTime.UtcNow);

        _time.Advance(WebhookCertificateFiles.RecheckPeriod);

        Assert.Equal(first, files.Current.TargetCertificate.Thumbprint);
    }

    [Fact]
    public void Refuses_ToStart_WithoutACertificate()
    {
        File.WriteAllText(CertFile, "nothing here");
        File.WriteAllText(KeyFile, "nothing here");

        Assert.Throws<CryptographicException>(() => new WebhookCertificateFiles(CertFile, KeyFile, _time, NullLogger<WebhookCertificateFiles>.Instance));
    }

    /// <returns>The thumbprint of the certificate written.</returns>
    private string Write(string subject, DateTime writeTime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest(subject, key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(CertFile, certificate.ExportCertificatePem());
        File.WriteAllText(KeyFile, key.ExportPkcs8PrivateKeyPem());
        File.SetLastWriteTimeUtc(CertFile, writeTime);
        File.SetLastWriteTimeUtc(KeyFile, writeTime);
        return certificate.Thumbprint;
    }
}
