using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Tests.Stats;

/// <summary>A real Kestrel on 127.0.0.1:0 serving whatever Prometheus text the test sets, as a sidecar's admin /metrics does.</summary>
internal sealed class MetricsEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;
    private volatile string _text = string.Empty;
    private volatile int _status = StatusCodes.Status200OK;

    private MetricsEndpoint(WebApplication app) => _app = app;

    public IPEndPoint EndPoint { get; private set; } = null!;

    public int Scrapes;

    public static async Task<MetricsEndpoint> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var endpoint = new MetricsEndpoint(app);
        app.MapGet("/metrics", () =>
        {
            Interlocked.Increment(ref endpoint.Scrapes);
            return Results.Text(endpoint._text, "text/plain; version=0.0.4", statusCode: endpoint._status);
        });
        await app.StartAsync();
        endpoint.EndPoint = new IPEndPoint(IPAddress.Loopback, new Uri(app.Urls.Single()).Port);
        return endpoint;
    }

    public void Serve(string text, int status = StatusCodes.Status200OK)
    {
        _text = text;
        _status = status;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
