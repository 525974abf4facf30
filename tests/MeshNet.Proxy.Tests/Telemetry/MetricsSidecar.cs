using System.Collections.Immutable;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Text.RegularExpressions;
using MeshNet.Protocol.V1;
using MeshNet.Proxy.Hosting;
using MeshNet.Proxy.Telemetry.AccessLog;
using MeshNet.Proxy.Telemetry.Metrics;
using MeshNet.Proxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MeshNet.Proxy.Tests.Telemetry;

/// <summary>
/// The real sidecar (ProxyApplication on 127.0.0.1:0) behind a fake control plane, with its access log written to a
/// pipe the test reads line by line, and helpers to send requests and scrape /metrics.
/// </summary>
public sealed partial class MetricsSidecar : IAsyncDisposable
{
    private static readonly TimeSpan LineTimeout = TimeSpan.FromSeconds(15);

    private readonly ProxyApplication _proxy;
    private readonly Pipe _accessLog;
    private readonly StreamReader _lines;

    private MetricsSidecar(ProxyApplication proxy, FakeControlPlane controlPlane, Pipe accessLog)
    {
        _proxy = proxy;
        _accessLog = accessLog;
        _lines = new StreamReader(accessLog.Reader.AsStream());
        ControlPlane = controlPlane;
        Client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(15) };
    }

    public FakeControlPlane ControlPlane { get; }

    public HttpClient Client { get; }

    public int InboundPort => _proxy.Endpoints.InboundPort;

    public int OutboundPort => _proxy.Endpoints.OutboundPort;

    public int AdminPort => _proxy.Endpoints.AdminPort;

    internal ProxyMetrics Metrics => _proxy.Services.GetRequiredService<ProxyMetrics>();

    /// <param name="appPort">Where inbound requests are delivered (0: none).</param>
    public static async Task<MetricsSidecar> StartAsync(int appPort = 0, ImmutableDictionary<string, string>? annotations = null, bool metrics = true)
    {
        var controlPlane = await FakeControlPlane.StartAsync();
        var accessLog = new Pipe();
        var options = new ProxyOptions
        {
            ControlPlane = controlPlane.Address,
            Name = "frontend-6d8f7c9b5-abcde",
            Namespace = "blog",
            ServiceAccount = "frontend",
            AppPort = appPort,
            Annotations = annotations ?? ImmutableDictionary<string, string>.Empty,
            Inbound = new IPEndPoint(IPAddress.Loopback, 0),
            Outbound = new IPEndPoint(IPAddress.Loopback, 0),
            Admin = new IPEndPoint(IPAddress.Loopback, 0),
            ProbeInterval = TimeSpan.FromMilliseconds(100),
            DnsDisabled = true,
            Metrics = metrics,
        };
        var proxy = ProxyApplication.Create(options, _ => { }, services => services.AddSingleton(new AccessLogOutput(accessLog.Writer.AsStream())));
        await proxy.StartAsync();
        return new MetricsSidecar(proxy, controlPlane, accessLog);
    }

    /// <summary>A full state with the given clusters (each with its virtual host) and telemetry settings, ACKed.</summary>
    public async Task ApplyAsync(string version, Protocol.V1.Telemetry? telemetry, params Cluster[] clusters)
    {
        var response = MeshConfig.Full(
            version,
            clusters.Select(c => MeshConfig.VirtualHost(c.Service.Split('/')[0], c.Service.Split('/')[1], (int)c.Port, "blog")),
            clusters);
        response.Telemetry = telemetry;
        await Sidecar.AcceptAsync(ControlPlane, response);
    }

    public async Task<(int Status, string? Error)> SendAsync(int port, string host, string path = "/", HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, $"http://127.0.0.1:{port}{path}");
        request.Headers.Host = host;
        using var response = await Client.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        return ((int)response.StatusCode, response.Headers.TryGetValues("x-meshnet-error", out var values) ? values.Single() : null);
    }

    public Task<(int Status, string? Error)> OutboundAsync(string host, string path = "/") => SendAsync(OutboundPort, host, path);

    /// <summary>GET /metrics on the admin listener: the body, and its content type.</summary>
    public async Task<(string Body, string? ContentType)> ScrapeAsync()
    {
        using var response = await Client.GetAsync($"http://127.0.0.1:{AdminPort}/metrics");
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.ToString());
    }

    public async Task<Exposition> MetricsAsync() => Exposition.Parse((await ScrapeAsync()).Body);

    /// <summary>The next access log line; fails after 15 s without one.</summary>
    public async Task<string> NextAccessLogLineAsync()
    {
        using var timeout = new CancellationTokenSource(LineTimeout);
        return await _lines.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException("access log ended");
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _proxy.StopAsync();
        await _proxy.DisposeAsync();
        await ControlPlane.DisposeAsync();
        await _accessLog.Writer.CompleteAsync();
        _lines.Dispose();
    }
}

/// <summary>A Prometheus text exposition parsed into samples: name, labels, value.</summary>
public sealed partial class Exposition(IReadOnlyList<Sample> samples)
{
    public IReadOnlyList<Sample> Samples { get; } = samples;

    public static Exposition Parse(string text)
    {
        var samples = new List<Sample>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var match = SampleLine().Match(line);
            Assert.True(match.Success, $"not a sample line: {line}");
            var labels = LabelPair().Matches(match.Groups["labels"].Value)
                .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);
            samples.Add(new Sample(match.Groups["name"].Value, labels, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture)));
        }

        return new Exposition(samples);
    }

    /// <summary>The sum of every sample named <paramref name="name"/> whose labels include all of <paramref name="labels"/>.</summary>
    public double Sum(string name, params (string Name, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value)).Sum(s => s.Value);

    public IEnumerable<Sample> Named(string name) => Samples.Where(s => s.Name == name);

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();
}

public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);
