using System.Net;
using Grpc.Core;
using MeshNet.Proxy.Hosting;
using MeshNet.Proxy.Tests.Echo;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MeshNet.Proxy.Tests.Infrastructure;

/// <summary>
/// A real Kestrel app on 127.0.0.1:0 serving HTTP/1.1 and h2c on one port, standing in for a workload. Every
/// HTTP response says who served it and what arrived: "name|protocol|host|target-port header|path".
/// It also serves the Echo gRPC service.
/// </summary>
public sealed class Backend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private Backend(WebApplication app, string name)
    {
        _app = app;
        Name = name;
    }

    public string Name { get; }

    public int Port { get; private set; }

    public static async Task<Backend> StartAsync(string name, int port = 0, IPAddress? bindAddress = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(new BackendName(name));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AllowAlternateSchemes = true;
            k.Listen(bindAddress ?? IPAddress.Loopback, port, l =>
            {
                l.Protocols = HttpProtocols.Http1AndHttp2;
                l.UseHttp2PriorKnowledgeDetection();
            });
        });
        var app = builder.Build();
        app.MapGrpcService<EchoService>();
        app.MapGet("/ready", () => "ok");
        app.MapPost("/echo", async (HttpContext context) =>
        {
            // Read everything before answering: a full-duplex echo of a large body over h2c stalls even between
            // HttpClient and Kestrel with no proxy in between, so it would not test the proxy.
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            context.Response.ContentType = "application/octet-stream";
            await context.Response.Body.WriteAsync(body.GetBuffer().AsMemory(0, (int)body.Length));
        });
        app.MapFallback((HttpContext context) => Results.Text(string.Join('|',
            name,
            context.Request.Protocol,
            context.Request.Host.Value,
            context.Request.Headers["x-meshnet-target-port"].ToString(),
            context.Request.Path.Value)));
        await app.StartAsync();
        var backend = new Backend(app, name) { Port = new Uri(app.Urls.First()).Port };
        return backend;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    internal sealed record BackendName(string Value);

    internal sealed class EchoService(BackendName name) : Echo.Echo.EchoBase
    {
        public override Task<EchoReply> Say(EchoRequest request, ServerCallContext context)
        {
            if (request.FailWith.Length > 0)
            {
                throw new RpcException(new Status(StatusCode.NotFound, request.FailWith));
            }

            context.ResponseTrailers.Add("x-served-by", name.Value);
            return Task.FromResult(new EchoReply { Text = request.Text, ServedBy = name.Value, Protocol = context.GetHttpContext().Request.Protocol });
        }

        public override async Task Count(EchoRequest request, IServerStreamWriter<EchoReply> responseStream, ServerCallContext context)
        {
            for (var i = 0; i < request.Times; i++)
            {
                await responseStream.WriteAsync(new EchoReply { Text = $"{request.Text}{i}", ServedBy = name.Value });
            }
        }
    }
}
