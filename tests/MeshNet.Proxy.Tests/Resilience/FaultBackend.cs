using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using MeshNet.Proxy.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace MeshNet.Proxy.Tests.Resilience;

/// <summary>
/// A real Kestrel backend on 127.0.0.1:0 (HTTP/1.1 and h2c) whose behaviour a test sets: answer with its name,
/// fail with a status, hang until the caller gives up, reset the connection, or anything else. It counts and
/// records what arrived, and announces each arrival on a channel so tests wait for it instead of sleeping.
/// </summary>
public sealed class FaultBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<string> _arrivals = Channel.CreateUnbounded<string>();
    private int _hits;

    private FaultBackend(WebApplication app, string name)
    {
        _app = app;
        Name = name;
    }

    public string Name { get; }

    public int Port { get; private set; }

    /// <summary>Requests that reached this backend.</summary>
    public int Hits => Volatile.Read(ref _hits);

    /// <summary>Request bodies in arrival order.</summary>
    public ConcurrentQueue<byte[]> Bodies { get; } = new();

    /// <summary>What the backend does with a request; by default it answers 200 with its name.</summary>
    public Func<HttpContext, Task>? Behaviour { get; set; }

    public static async Task<FaultBackend> StartAsync(string name)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AllowAlternateSchemes = true;
            k.Listen(IPAddress.Loopback, 0, l =>
            {
                l.Protocols = HttpProtocols.Http1AndHttp2;
                l.UseHttp2PriorKnowledgeDetection();
            });
        });
        var app = builder.Build();
        var backend = new FaultBackend(app, name);
        app.Run(backend.HandleAsync);
        await app.StartAsync();
        backend.Port = new Uri(app.Urls.First()).Port;
        return backend;
    }

    /// <summary>Waits for the next request to arrive (15 s at most).</summary>
    public async Task NextArrivalAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _arrivals.Reader.ReadAsync(timeout.Token);
    }

    public static Func<HttpContext, Task> Status(int status) => context =>
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsync($"failed with {status}");
    };

    /// <summary>Never answers; ends when the caller goes away.</summary>
    public static Func<HttpContext, Task> Hang() => async context =>
    {
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    };

    /// <summary>Drops the connection without a response.</summary>
    public static Func<HttpContext, Task> Reset() => context =>
    {
        context.Abort();
        return Task.CompletedTask;
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        Bodies.Enqueue(body.ToArray());
        Interlocked.Increment(ref _hits);
        _arrivals.Writer.TryWrite(Name);
        if (Behaviour is { } behaviour)
        {
            await behaviour(context);
            return;
        }

        await context.Response.WriteAsync(Name);
    }
}
