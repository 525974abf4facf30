using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using MeshNet.Protocol.V1;
using MeshNet.Proxy.Identity;

namespace MeshNet.Proxy.Tests.Tls;

/// <summary>The inbound listener seen by a TLS stack that is not .NET's: the openssl command line.</summary>
public sealed class OpenSslTests
{
    private const string Request = "GET /hello HTTP/1.1\r\nHost: posts\r\nConnection: close\r\n\r\n";

    [Fact]
    public async Task SClient_NegotiatesTls13_IsAskedForACertificate_AndSeesTheSpiffeSan()
    {
        using var ca = new TestCa();
        await using var app = await PeerEchoApp.StartAsync();
        await using var sidecar = await MtlsSidecar.StartAsync(new TestCaCertifier(ca, TimeSpan.FromHours(1)), app.Port, MtlsMode.Strict);
        using var files = new TempPemFiles(ca.Issue("spiffe://cluster.local/ns/blog/sa/frontend"), ca.Root);

        var (output, _) = await SClientAsync(sidecar.InboundPort, $"-cert {files.Certificate} -key {files.Key} -CAfile {files.Root} -showcerts -msg");

        Assert.Contains("New, TLSv1.3", output, StringComparison.Ordinal);
        // The server's CertificateRequest, as s_client -msg reports the handshake.
        Assert.Contains(", CertificateRequest", output, StringComparison.Ordinal);
        Assert.Contains("Verify return code: 0 (ok)", output, StringComparison.Ordinal);
        Assert.Contains("HTTP/1.1 200 OK", output, StringComparison.Ordinal);
        Assert.Contains("HTTP/1.1|spiffe://cluster.local/ns/blog/sa/frontend", output, StringComparison.Ordinal);
        var begin = output.IndexOf("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal);
        var end = output.IndexOf("-----END CERTIFICATE-----", StringComparison.Ordinal) + "-----END CERTIFICATE-----".Length;
        using var served = X509Certificate2.CreateFromPem(output.AsSpan(begin, end - begin));
        Assert.Equal(["spiffe://cluster.local/ns/blog/sa/posts"], SpiffeId.UriNames(served));
    }

    [Fact]
    public async Task SClient_WithoutCertificate_IsRefusedInStrict()
    {
        using var ca = new TestCa();
        await using var app = await PeerEchoApp.StartAsync();
        await using var sidecar = await MtlsSidecar.StartAsync(new TestCaCertifier(ca, TimeSpan.FromHours(1)), app.Port, MtlsMode.Strict);
        using var files = new TempPemFiles(ca.Issue("spiffe://cluster.local/ns/blog/sa/frontend"), ca.Root);

        var (output, _) = await SClientAsync(sidecar.InboundPort, $"-CAfile {files.Root}");

        Assert.DoesNotContain("HTTP/1.1 200", output, StringComparison.Ordinal);
        // TLS 1.3 finishes the client's side before the server judges its (missing) certificate: the refusal is
        // the connection closing with no answer to the request.
        Assert.Contains("New, TLSv1.3", output, StringComparison.Ordinal);
        Assert.Equal(1, sidecar.Refusals.Count(MeshNet.Proxy.Tls.PeerRejection.NoCertificate));
    }

    [Fact]
    public async Task SClient_ResumesItsSession_AndIsStillKnownByItsCertificate()
    {
        using var ca = new TestCa();
        await using var app = await PeerEchoApp.StartAsync();
        await using var sidecar = await MtlsSidecar.StartAsync(new TestCaCertifier(ca, TimeSpan.FromHours(1)), app.Port, MtlsMode.Strict);
        using var files = new TempPemFiles(ca.Issue("spiffe://cluster.local/ns/blog/sa/frontend"), ca.Root);

        // The first connection reads its answer, so the server's session ticket arrives and is saved; the second
        // offers it.
        var session = Path.Combine(files.Directory, "session.pem");
        var (first, _) = await SClientAsync(sidecar.InboundPort, $"-cert {files.Certificate} -key {files.Key} -CAfile {files.Root} -sess_out {session}");
        var (output, _) = await SClientAsync(sidecar.InboundPort, $"-cert {files.Certificate} -key {files.Key} -CAfile {files.Root} -sess_in {session}");

        Assert.Contains("New, TLSv1.3", first, StringComparison.Ordinal);
        Assert.Contains("Reused, TLSv1.3", output, StringComparison.Ordinal);
        Assert.Contains("HTTP/1.1|spiffe://cluster.local/ns/blog/sa/frontend", output, StringComparison.Ordinal);
        Assert.Empty(sidecar.Refusals.Snapshot());
    }

    private static async Task<(string Output, string Errors)> SClientAsync(int port, string arguments)
    {
        var start = new ProcessStartInfo("openssl", $"s_client -connect 127.0.0.1:{port} -tls1_3 -ign_eof {arguments}")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(Request);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"openssl s_client did not finish: {await output}");
        }

        return (await output, await errors);
    }

    /// <summary>PEM files for openssl (test certificates only), removed afterwards.</summary>
    private sealed class TempPemFiles : IDisposable
    {
        private readonly string _directory = System.IO.Directory.CreateTempSubdirectory("meshnet-tls-").FullName;

        public TempPemFiles(X509Certificate2 client, X509Certificate2 root)
        {
            Certificate = Path.Combine(_directory, "client.pem");
            Key = Path.Combine(_directory, "client.key");
            Root = Path.Combine(_directory, "root.pem");
            File.WriteAllText(Certificate, client.ExportCertificatePem());
            File.WriteAllText(Key, client.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
            File.WriteAllText(Root, root.ExportCertificatePem());
            client.Dispose();
        }

        public string Certificate { get; }

        public string Key { get; }

        public string Root { get; }

        public string Directory => _directory;

        public void Dispose() => System.IO.Directory.Delete(_directory, recursive: true);
    }
}
