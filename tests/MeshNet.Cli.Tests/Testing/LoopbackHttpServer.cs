using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MeshNet.Cli.Tests.Testing;

/// <summary>A real HTTP listener on loopback answering every request with what <c>respond</c> returns for it.</summary>
internal sealed class LoopbackHttpServer : IDisposable
{
    private readonly HttpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<Uri, (int Status, string ContentType, string Body)> _respond;

    public LoopbackHttpServer(Func<Uri, (int Status, string ContentType, string Body)> respond)
    {
        _respond = respond;
        (_listener, Url) = Start();
    }

    public Uri Url { get; }

    /// <summary>Raised after each answer with the request's path and query.</summary>
    public event Action<string>? Answered;

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

            var url = context.Request.Url!;
            var (status, contentType, body) = _respond(url);
            context.Response.StatusCode = status;
            context.Response.ContentType = contentType;
            await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(body));
            context.Response.Close();
            Answered?.Invoke(url.PathAndQuery);
        }
    }
}
