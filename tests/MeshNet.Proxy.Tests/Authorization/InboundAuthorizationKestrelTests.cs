using System.Net;
using System.Net.Sockets;
using System.Text;
using MeshNet.Protocol.V1;
using MeshNet.Proxy.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace MeshNet.Proxy.Tests.Authorization;

/// <summary>
/// Through the real sidecar to a real Kestrel app: the app receives exactly the normalised path (its raw request
/// target), refused requests get their status and x-meshnet-error and never reach it. Requests are written as raw
/// HTTP/1.1 bytes, since HttpClient would normalise the paths itself.
/// </summary>
public sealed class InboundAuthorizationKestrelTests
{
    [Fact]
    public async Task App_ReceivesNormalisedPath_AndDeniedOrAmbiguousRequestsNeverReachIt()
    {
        await using var app = await RawTargetApp.StartAsync();
        await using var controlPlane = await FakeControlPlane.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(controlPlane, appPort: app.Port);
        await Sidecar.AcceptAsync(controlPlane, MeshConfig.Full("1", [], [], Policies(app.Port)));

        Assert.Equal((200, null, "GET /posts/1?x=/../y host=posts.blog"), await SendAsync(sidecar.InboundPort, "GET", "/posts/%61b/../1?x=/../y", "Posts.Blog"));
        Assert.Equal((200, null, "GET /posts/x/y host=posts.blog"), await SendAsync(sidecar.InboundPort, "GET", "//posts//x/./y", "posts.blog"));
        Assert.Equal((200, null, "GET /posts/a%3Bb host=posts.blog"), await SendAsync(sidecar.InboundPort, "GET", "/posts/a%3bb", "posts.blog"));

        Assert.Equal((403, "authz-denied", ""), await SendAsync(sidecar.InboundPort, "GET", "/posts/../admin", "posts.blog"));
        Assert.Equal((403, "authz-denied", ""), await SendAsync(sidecar.InboundPort, "GET", "/posts/secret/%2e", "posts.blog"));
        Assert.Equal((403, "authz-denied", ""), await SendAsync(sidecar.InboundPort, "DELETE", "/posts/1", "posts.blog"));
        Assert.Equal((400, "bad-path", ""), await SendAsync(sidecar.InboundPort, "GET", "/posts/a%2F..%2F..%2Fadmin", "posts.blog"));
        Assert.Equal((400, "bad-path", ""), await SendAsync(sidecar.InboundPort, "GET", "/posts/a%5Cb", "posts.blog"));
        // Kestrel refuses an encoded NUL itself, before the sidecar sees the request (so without x-meshnet-error).
        Assert.Equal(400, (await SendAsync(sidecar.InboundPort, "GET", "/posts/a%00b", "posts.blog")).Status);
        Assert.Equal((400, "bad-path", ""), await SendAsync(sidecar.InboundPort, "GET", "/%2e%2e/posts/1", "posts.blog"));

        Assert.Equal(3, app.Requests);
    }

    /// <summary>GET /posts/* for anyone, except /posts/secret/*; nothing else.</summary>
    private static Inbound Policies(int appPort)
    {
        var readers = new AuthorizationPolicy
        {
            Name = "blog/readers",
            Rules = { new AuthorizationRule { To = { new AuthorizationOperation { Ports = { (uint)appPort }, Methods = { "GET" }, Paths = { "/posts/*" } } } } },
        };
        var secret = new AuthorizationPolicy
        {
            Name = "blog/no-secrets",
            Action = AuthorizationPolicy.Types.Action.Deny,
            Rules = { new AuthorizationRule { To = { new AuthorizationOperation { Paths = { "/posts/secret/*" } } } } },
        };
        return new Inbound { DefaultPort = (uint)appPort, Authorization = { readers, secret } };
    }

    private static async Task<(int Status, string? Error, string Body)> SendAsync(int port, string method, string target, string host)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var response = await reader.ReadToEndAsync();
        var head = response[..response.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        var status = int.Parse(head.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var error = head.Split("\r\n").Where(l => l.StartsWith("x-meshnet-error:", StringComparison.OrdinalIgnoreCase)).Select(l => l[(l.IndexOf(':') + 1)..].Trim()).SingleOrDefault();
        var body = response[(head.Length + 4)..];
        if (head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = Unchunk(body);
        }

        return (status, error, body);
    }

    private static string Unchunk(string body)
    {
        var result = new StringBuilder();
        var position = 0;
        while (true)
        {
            var lineEnd = body.IndexOf("\r\n", position, StringComparison.Ordinal);
            var size = Convert.ToInt32(body[position..lineEnd], 16);
            if (size == 0)
            {
                return result.ToString();
            }

            result.Append(body, lineEnd + 2, size);
            position = lineEnd + 2 + size + 2;
        }
    }

    /// <summary>Answers every request with "METHOD raw-target host=HOST".</summary>
    private sealed class RawTargetApp : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _requests;

        private RawTargetApp(WebApplication app) => _app = app;

        public int Port { get; private set; }

        public int Requests => Volatile.Read(ref _requests);

        public static async Task<RawTargetApp> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var web = builder.Build();
            var app = new RawTargetApp(web);
            web.Run(context =>
            {
                Interlocked.Increment(ref app._requests);
                var raw = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
                return context.Response.WriteAsync($"{context.Request.Method} {raw} host={context.Request.Host.Value}");
            });
            await web.StartAsync();
            app.Port = new Uri(web.Urls.First()).Port;
            return app;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
