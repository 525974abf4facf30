using System.Threading.Channels;
using MeshNet.Cli.Tests.Testing;

namespace MeshNet.Cli.Tests.Stat;

/// <summary>
/// A real HTTP listener standing in for the control plane's admin API: answers GET /debug/stat with a recorded
/// body filtered the way the control plane filters it, and reports every request's path and query to the test.
/// </summary>
internal sealed class StatServer : IDisposable
{
    private readonly LoopbackHttpServer _server;
    private readonly Channel<string> _requests = Channel.CreateUnbounded<string>();

    public StatServer(string body, int status = 200)
    {
        Body = body;
        Status = status;
        _server = new LoopbackHttpServer(url =>
        {
            var found = url.AbsolutePath == "/debug/stat";
            return (found ? Status : 404, Status == 200 ? "application/json" : "text/plain", found ? Body : "{}");
        });
        _server.Answered += pathAndQuery => _requests.Writer.TryWrite(pathAndQuery);
    }

    public Uri Url => _server.Url;

    public string Body { get; set; }

    public int Status { get; set; }

    public ChannelReader<string> Requests => _requests.Reader;

    public void Dispose() => _server.Dispose();
}
