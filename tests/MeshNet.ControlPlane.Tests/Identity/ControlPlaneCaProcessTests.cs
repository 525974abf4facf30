using System.Diagnostics;

namespace MeshNet.ControlPlane.Tests.Identity;

/// <summary>meshnet-control as a real process: a CA it cannot use stops it at start-up with one line, not later.</summary>
public sealed class ControlPlaneCaProcessTests
{
    [Fact]
    public async Task Exits_WithOneLine_WhenTheCaFilesCannotBeLoaded()
    {
        var directory = Directory.CreateTempSubdirectory("meshnet-badca-");
        try
        {
            var cert = Path.Combine(directory.FullName, "ca.pem");
            File.WriteAllText(cert, "not a certificate");
            var dir = Environment.GetEnvironmentVariable("MESHNET_BIN_DIR") is { Length: > 0 } overridden ? overridden : AppContext.BaseDirectory;
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { Path.Combine(dir, "meshnet-control.dll"), "--grpc", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--ca-cert", cert, "--ca-key", cert })
            {
                info.ArgumentList.Add(arg);
            }

            using var process = Process.Start(info)!;
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var output = process.StandardOutput.ReadToEndAsync(deadline.Token);
            var error = await process.StandardError.ReadToEndAsync(deadline.Token);
            await process.WaitForExitAsync(deadline.Token);

            Assert.Equal(1, process.ExitCode);
            Assert.Equal(string.Empty, await output);
            Assert.StartsWith($"meshnet-control: --ca-cert: cannot load the CA certificate {cert} with its key {cert}", error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
