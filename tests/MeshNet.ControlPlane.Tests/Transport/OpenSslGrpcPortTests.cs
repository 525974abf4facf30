using System.Diagnostics;

namespace MeshNet.ControlPlane.Tests.Transport;

/// <summary>`openssl s_client` against the gRPC port: the chain verifies against ca-bundle.pem and the leaf names the control plane.</summary>
public sealed class OpenSslGrpcPortTests
{
    [Fact]
    public async Task SClient_VerifiesTheChain_AndSeesTheSans()
    {
        await using var cp = await TransportHarness.StartAsync("127.0.0.1:0", "--grpc-tls-san", "cp.example.org");

        var (code, output) = await RunAsync(
            "openssl", "s_client", "-connect", $"127.0.0.1:{cp.GrpcPort}", "-alpn", "h2", "-CAfile", cp.BundlePath,
            "-verify_return_error", "-verify_ip", "127.0.0.1", "-servername", "localhost");
        var pem = output[output.IndexOf("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)..(output.IndexOf("-----END CERTIFICATE-----", StringComparison.Ordinal) + 25)];
        var leafFile = Path.Combine(cp.StateDirectory, "served.pem");
        await File.WriteAllTextAsync(leafFile, pem);
        var (_, text) = await RunAsync("openssl", "x509", "-in", leafFile, "-noout", "-ext", "subjectAltName,extendedKeyUsage");

        Assert.Equal(0, code);
        Assert.Contains("Verify return code: 0 (ok)", output, StringComparison.Ordinal);
        Assert.Contains("ALPN protocol: h2", output, StringComparison.Ordinal);
        Assert.Contains("URI:spiffe://cluster.local/ns/meshnet-system/sa/meshnet-control", text, StringComparison.Ordinal);
        Assert.Contains("DNS:localhost", text, StringComparison.Ordinal);
        Assert.Contains("DNS:meshnet-control.meshnet-system.svc", text, StringComparison.Ordinal);
        Assert.Contains("DNS:meshnet-control.meshnet-system.svc.cluster.local", text, StringComparison.Ordinal);
        Assert.Contains("DNS:cp.example.org", text, StringComparison.Ordinal);
        Assert.Contains("IP Address:127.0.0.1", text, StringComparison.Ordinal);
        Assert.Contains("TLS Web Server Authentication", text, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return (process.ExitCode, await stdout + await stderr);
    }
}
