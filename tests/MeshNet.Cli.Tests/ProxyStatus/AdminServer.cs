using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MeshNet.Cli.Tests.ProxyStatus;

/// <summary>
/// A real HTTP listener standing in for the control plane's admin API: answers recorded bodies by path and query
/// ("/debug/proxies", "/debug/proxies/blog/posts-v1-0/config?section=routes"); anything else is a 404 with an error.
/// </summary>
internal sealed class AdminServer : IDisposable
{
    private readonly HttpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, (int Status, string Body)> _answers;

    public AdminServer(Dictionary<string, (int Status, string Body)> answers)
    {
        _answers = answers;
        (_listener, Url) = Start();
    }

    public Uri Url { get; }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        _stop.Dispose();
    }

    private (HttpListener, Uri) Start()
    {
        // HttpListener takes no port 0: try free ports the OS hands out until one binds.
        for (var attempt = 0; ; attempt++)
        {
            int port;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }

            var url = new Uri($"http://127.0.0.1:{port}/");
            var listener = new HttpListener();
            listener.Prefixes.Add(url.ToString());
            try
            {
                listener.Start();
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
                continue;
            }

            _ = ServeAsync(listener);
            return (listener, url);
        }
    }

    private async Task ServeAsync(HttpListener listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            var key = context.Request.Url!.PathAndQuery;
            var (status, body) = _answers.TryGetValue(key, out var answer) ? answer : (404, """{"error":"no sidecar blog/nobody is connected"}""");
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(body));
            context.Response.Close();
        }
    }
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
