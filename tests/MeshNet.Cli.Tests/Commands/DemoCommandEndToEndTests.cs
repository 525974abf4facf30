using System.Text.Json;
using MeshNet.Cli.Tests.Testing;

namespace MeshNet.Cli.Tests.Commands;

/// <summary>
/// Runs the real `meshctl demo` (control plane, nine pods with sidecars, a client sidecar) as a child process.
/// Needs meshnet-control, meshnet-proxy and blog-app built in the same configuration (scripts/test.sh builds the
/// solution first); when they are missing meshctl says so and the test fails with its message.
/// </summary>
public sealed class DemoCommandEndToEndTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(8);

    [Fact]
    public async Task Demo_ReportsEveryBlogServiceAnswering()
    {
        // Pods on their own loopback network, so a concurrent demo or end-to-end test cannot collide on ports.
        var podNetwork = $"127.{Random.Shared.Next(16, 250)}.1.0";
        var result = await RunMeshctlAsync("demo", "--duration", "3s", "--json", "--rps", "40", "--pod-network", podNetwork, "--mode", "loopback");

        Assert.True(result.ExitCode == 0, $"meshctl demo exited {result.ExitCode}\nstdout:\n{result.Stdout}\nstderr:\n{result.Stderr}");
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.True(root.GetProperty("passed").GetBoolean());
        Assert.Equal(9, root.GetProperty("pods").GetInt32());
        Assert.True(root.GetProperty("requests").GetInt32() > 0);
        Assert.Empty(root.GetProperty("silentServices").EnumerateArray());

        var services = root.GetProperty("services").EnumerateArray()
            .ToDictionary(s => s.GetProperty("service").GetString()!, s => s.GetProperty("replicas").EnumerateArray().ToList());
        Assert.Equal(["comments", "frontend", "posts", "users"], services.Keys.Order());
        Assert.All(services.Values, replicas => Assert.NotEmpty(replicas));
        Assert.All(services["posts"], r => Assert.Contains(r.GetProperty("version").GetString(), new[] { "v1", "v2" }));
    }

    [Fact]
    public async Task Demo_RejectsAMissingManifestDirectory()
    {
        var result = await RunMeshctlAsync("demo", "--dir", "/nonexistent/blog", "--duration", "1s");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("meshctl: manifest directory /nonexistent/blog does not exist", result.Stderr, StringComparison.Ordinal);
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> RunMeshctlAsync(params string[] arguments) =>
        MeshctlRun.RunAsync(Deadline, arguments);
}
