using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace MeshNet.Cli.Tests.Stat;

/// <summary>
/// A real HTTP listener standing in for the control plane's admin API: answers GET /debug/stat with a recorded
/// body filtered the way the control plane filters it, and reports every request's path and query to the test.
/// </summary>
internal sealed class StatServer : IDisposable
{
    private readonly HttpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<string> _requests = Channel.CreateUnbounded<string>();

    public StatServer(string body, int status = 200)
    {
        Body = body;
        Status = status;
        (_listener, Url) = Start();
    }

    public Uri Url { get; }

    public string Body { get; set; }

    public int Status { get; set; }

    public ChannelReader<string> Requests => _requests.Reader;

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

            var found = context.Request.Url?.AbsolutePath == "/debug/stat";
            context.Response.StatusCode = found ? Status : 404;
            context.Response.ContentType = Status == 200 ? "application/json" : "text/plain";
            await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(found ? Body : "{}"));
            context.Response.Close();
            _requests.Writer.TryWrite(context.Request.Url!.PathAndQuery);
        }
    }
}
