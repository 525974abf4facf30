using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using MeshNet.Cli.Local;
using MeshNet.Kubernetes.Injection;

namespace MeshNet.Cli.Tests.Install;

/// <summary>
/// The injected containers' arguments, with the downward-API variables filled in as the kubelet would, are accepted
/// by the real meshnet-proxy: the init container's in --dry-run (no root needed), the sidecar's up to its ready line.
/// </summary>
public sealed class InjectedContainersRunTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task InitContainerArgs_ProduceTheInterceptionRules()
    {
        var init = Injected(InjectionSettings.Default).Single(c => c.Name == InjectionNames.InitContainer);

        var (exit, output, error) = await RunAsync([.. init.Args, "--dry-run"], new Dictionary<string, string>(), waitFor: null);

        Assert.True(exit == 0, error);
        Assert.Contains("--to-ports 15006", output, StringComparison.Ordinal);
        Assert.Contains("--uid-owner 1337", output, StringComparison.Ordinal);
        Assert.Contains("--dport 15000 -j RETURN", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SidecarArgs_StartTheProxy()
    {
        var directory = Directory.CreateTempSubdirectory("meshnet-injected");
        try
        {
            var caFile = Path.Combine(directory.FullName, "ca.pem");
            await File.WriteAllTextAsync(caFile, SelfSignedPem());
            // Port 0 everywhere: the test must not collide with sidecars other tests run on loopback.
            var settings = InjectionSettings.Default with { ControlPlaneCa = "unused", InboundPort = 0, OutboundPort = 0, AdminPort = 0, DnsPort = 0 };
            var proxy = Injected(settings).Single(c => c.Name == InjectionNames.ProxyContainer);
            var environment = new Dictionary<string, string>
            {
                ["POD_NAME"] = "posts-v1-5c7d9b8f4-x7kq2",
                ["POD_NAMESPACE"] = "blog",
                ["POD_IP"] = "127.0.0.1",
                ["SERVICE_ACCOUNT"] = "posts",
                ["MESHNET_CONTROL_PLANE_CA"] = caFile,
            };
            Assert.Equal("/var/run/secrets/meshnet.io/ca/ca.pem", proxy.Env.Single(e => e.Name == "MESHNET_CONTROL_PLANE_CA").Value);
            var args = proxy.Args.Select(a => Expand(a, environment)).ToList();

            var (_, output, error) = await RunAsync(args, environment, waitFor: "meshnet-proxy ready ");

            Assert.True(output.Contains("meshnet-proxy ready inbound=127.0.0.1:", StringComparison.Ordinal), $"no ready line; stderr:\n{error}");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static IList<V1Container> Injected(InjectionSettings settings)
    {
        var (output, _) = ManifestInjector.Inject(File.ReadAllText(Path.Combine(TestPaths.BlogSample, "posts.yaml")), settings);
        return ManifestDocuments.Parse(output).OfType<V1Deployment>().First().Spec.Template.Spec.InitContainers;
    }

    /// <summary>$(VAR) references, which the kubelet expands in args from the container's environment.</summary>
    private static string Expand(string value, Dictionary<string, string> environment) =>
        environment.Aggregate(value, (text, variable) => text.Replace($"$({variable.Key})", variable.Value, StringComparison.Ordinal));

    private static async Task<(int Exit, string Output, string Error)> RunAsync(IEnumerable<string> args, Dictionary<string, string> environment, string? waitFor)
    {
        var proxy = MeshBinaries.Discover().Resolve("meshnet-proxy");
        Assert.True(File.Exists(proxy), $"{proxy} is not built (the suite builds the solution first)");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(proxy);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        using var deadline = new CancellationTokenSource(Deadline);
        var error = process.StandardError.ReadToEndAsync(deadline.Token);
        var output = new System.Text.StringBuilder();
        try
        {
            while (await process.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
            {
                output.AppendLine(line);
                if (waitFor is not null && line.StartsWith(waitFor, StringComparison.Ordinal))
                {
                    break;
                }
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync(CancellationToken.None);
        }

        return (process.ExitCode, output.ToString(), await error);
    }

    private static string SelfSignedPem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=test root", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));
        return certificate.ExportCertificatePem();
    }
}
