using MeshNet.Cli.Tests.Testing;

namespace MeshNet.Cli.Tests.ProxyStatus;

/// <summary>
/// A real HTTP listener standing in for the control plane's admin API: answers recorded bodies by path and query
/// ("/debug/proxies", "/debug/proxies/blog/posts-v1-0/config?section=routes"); anything else is a 404 with an error.
/// </summary>
internal sealed class AdminServer(Dictionary<string, (int Status, string Body)> answers) : IDisposable
{
    private readonly LoopbackHttpServer _server = new(url =>
    {
        var (status, body) = answers.TryGetValue(url.PathAndQuery, out var answer)
            ? answer
            : (404, """{"error":"no sidecar blog/nobody is connected"}""");
        return (status, "application/json", body);
    });

    public Uri Url => _server.Url;

    public void Dispose() => _server.Dispose();
}

/// <summary>Golden files beside the tests (MESHNET_UPDATE_GOLDEN=1 rewrites them; review the diff).</summary>
internal static class CliGolden
{
    public static string TestData(string folder, string name) => Path.Combine(TestPaths.RepositoryRoot, "tests", "MeshNet.Cli.Tests", folder, "testdata", name);

    public static void Assert(string folder, string name, string actual)
    {
        var path = TestData(folder, name);
        if (Environment.GetEnvironmentVariable("MESHNET_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
        }

        Xunit.Assert.Equal(File.ReadAllText(path), actual);
    }
}
