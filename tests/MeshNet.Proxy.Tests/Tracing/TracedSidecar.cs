using System.Collections.Immutable;
using System.Diagnostics;
using System.Net;
using System.Threading.Channels;
using MeshNet.Proxy.Hosting;
using MeshNet.Proxy.Telemetry.Tracing;
using MeshNet.Proxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MeshNet.Proxy.Tests.Tracing;

/// <summary>
/// The real sidecar composition with tracing on and an ActivityListener on exactly this sidecar's source (other
/// tests' sidecars in the process are never seen), recording every span that ends.
/// </summary>
public sealed class TracedSidecar : IAsyncDisposable
{
    private readonly ProxyApplication _proxy;
    private readonly ActivityListener? _listener;
    private readonly Channel<Activity> _stopped = Channel.CreateUnbounded<Activity>();
    private readonly List<Activity> _seen = [];

    private TracedSidecar(ProxyApplication proxy, FakeControlPlane controlPlane, bool listen)
    {
        _proxy = proxy;
        ControlPlane = controlPlane;
        var bound = proxy.Endpoints;
        InboundPort = bound.InboundPort;
        OutboundPort = bound.OutboundPort;
        Client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(15) };
        if (listen)
        {
            var source = proxy.Services.GetRequiredService<ProxyTracer>().Source;
            _listener = new ActivityListener
            {
                ShouldListenTo = s => ReferenceEquals(s, source),
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = span => _stopped.Writer.TryWrite(span),
            };
            ActivitySource.AddActivityListener(_listener);
        }
    }

    public FakeControlPlane ControlPlane { get; }

    public int InboundPort { get; }

    public int OutboundPort { get; }

    public HttpClient Client { get; }

    /// <param name="tracing">Null: tracing on (listen only) with the default sampler.</param>
    /// <param name="listen">False: no listener at all, as with no exporter.</param>
    internal static async Task<TracedSidecar> StartAsync(TracingOptions? tracing = null, bool listen = true)
    {
        var controlPlane = await FakeControlPlane.StartAsync();
        var options = new ProxyOptions
        {
            ControlPlane = controlPlane.Address,
            Name = "frontend-7d4b9-x2x4z",
            Namespace = "blog",
            Labels = new Dictionary<string, string> { ["app"] = "frontend" }.ToImmutableDictionary(),
            ServiceAccount = "frontend",
            Inbound = new IPEndPoint(IPAddress.Loopback, 0),
            Outbound = new IPEndPoint(IPAddress.Loopback, 0),
            Admin = new IPEndPoint(IPAddress.Loopback, 0),
            ProbeInterval = TimeSpan.FromMilliseconds(100),
            DnsDisabled = true,
            Mark = 0,
            Tracing = tracing ?? new TracingOptions { ListenOnly = true },
        };
        var proxy = ProxyApplication.Create(options, _ => { });
        await proxy.StartAsync();
        await controlPlane.NextRequestAsync();
        return new TracedSidecar(proxy, controlPlane, listen);
    }

    /// <summary>Sends a GET to a listener with the given Host and extra headers.</summary>
    public async Task<HttpResponseMessage> SendAsync(int port, string host, IDictionary<string, string>? headers = null, string path = "/")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}{path}");
        request.Headers.Host = host;
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await Client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    /// <summary>
    /// The spans of one trace once <paramref name="count"/> of them ended (a server span ends after its response went
    /// out, so the reply can arrive first); fails after 15 s.
    /// </summary>
    public async Task<List<Activity>> SpansOfAsync(ActivityTraceId traceId, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (_seen.Count(s => s.TraceId == traceId) < count)
        {
            _seen.Add(await _stopped.Reader.ReadAsync(timeout.Token));
        }

        return _seen.Where(s => s.TraceId == traceId).ToList();
    }

    /// <summary>Every span that ended so far, without waiting.</summary>
    public List<Activity> EndedSpans()
    {
        while (_stopped.Reader.TryRead(out var span))
        {
            _seen.Add(span);
        }

        return [.. _seen];
    }

    public async ValueTask DisposeAsync()
    {
        _listener?.Dispose();
        Client.Dispose();
        await _proxy.StopAsync();
        await _proxy.DisposeAsync();
        await ControlPlane.DisposeAsync();
    }
}
