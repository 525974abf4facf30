using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using MeshNet.Protocol.V1;
using MeshNet.Proxy.ClusterDns;
using MeshNet.Proxy.Hosting;

namespace MeshNet.Proxy.Tests.Infrastructure;

/// <summary>The real sidecar composition (ProxyApplication) on 127.0.0.1:0, plus clients aimed at its listeners.</summary>
public sealed class Sidecar : IAsyncDisposable
{
    private readonly ProxyApplication _proxy;

    private Sidecar(ProxyApplication proxy)
    {
        _proxy = proxy;
        var bound = proxy.Endpoints;
        InboundPort = bound.InboundPort;
        OutboundPort = bound.OutboundPort;
        AdminPort = bound.AdminPort;
        Client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(15) };
    }

    public int InboundPort { get; }

    public int OutboundPort { get; }

    public int AdminPort { get; }

    /// <summary>Plain client; aim it at a listener with <see cref="SendAsync"/>.</summary>
    public HttpClient Client { get; }

    internal IServiceProvider Services => _proxy.Services;

    /// <summary>The DNS proxy's bound port.</summary>
    public int DnsPort => ((DnsProxy)_proxy.Services.GetService(typeof(DnsProxy))!).LocalEndPoint?.Port ?? 0;

    public static async Task<Sidecar> StartAsync(FakeControlPlane controlPlane, int appPort = 0, string? readinessPath = null, string ns = "blog", IPEndPoint? dnsUpstream = null)
    {
        var options = new ProxyOptions
        {
            ControlPlane = controlPlane.Address,
            Name = "client-0",
            Namespace = ns,
            Labels = new Dictionary<string, string> { ["app"] = "client" }.ToImmutableDictionary(),
            ServiceAccount = "client-sa",
            AppPort = appPort,
            Ports = [new NamedPort("http", appPort == 0 ? 8080 : appPort)],
            ReadinessPath = readinessPath,
            Inbound = new IPEndPoint(IPAddress.Loopback, 0),
            Outbound = new IPEndPoint(IPAddress.Loopback, 0),
            Admin = new IPEndPoint(IPAddress.Loopback, 0),
            ProbeInterval = TimeSpan.FromMilliseconds(100),
            Dns = new IPEndPoint(IPAddress.Loopback, 0),
            // Never the machine's resolver in tests: an unreachable port answers SERVFAIL quickly and locally.
            DnsUpstream = dnsUpstream ?? new IPEndPoint(IPAddress.Loopback, 9),
        };
        var proxy = ProxyApplication.Create(options, _ => { });
        await proxy.StartAsync();
        return new Sidecar(proxy);
    }

    /// <summary>Sends to one of the listeners with the given Host header and HTTP version.</summary>
    public async Task<(HttpStatusCode Status, string Body, string? Error, Version Version)> SendAsync(int listenerPort, string host, string path = "/", Version? version = null, IDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{listenerPort}{path}")
        {
            Version = version ?? HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.Host = host;
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await Client.SendAsync(request);
        var error = response.Headers.TryGetValues("x-meshnet-error", out var values) ? values.Single() : null;
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), error, response.Version);
    }

    public Task<(HttpStatusCode Status, string Body, string? Error, Version Version)> OutboundAsync(string host, string path = "/", Version? version = null) =>
        SendAsync(OutboundPort, host, path, version);

    /// <summary>An HttpClient whose every connection goes to the outbound listener, whatever the URL's host.</summary>
    public SocketsHttpHandler OutboundConnector() => new()
    {
        UseProxy = false,
        ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, OutboundPort), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        },
    };

    /// <summary>Queues a response on the control plane and returns the sidecar's answer to it.</summary>
    public static async Task<DiscoveryRequest> PushAsync(FakeControlPlane controlPlane, DiscoveryResponse response)
    {
        controlPlane.Send(response);
        var answer = await controlPlane.NextAnswerAsync();
        Assert.Equal(response.Nonce, answer.ResponseNonce);
        return answer;
    }

    /// <summary>Pushes a response and asserts it was ACKed.</summary>
    public static async Task AcceptAsync(FakeControlPlane controlPlane, DiscoveryResponse response)
    {
        var answer = await PushAsync(controlPlane, response);
        Assert.Null(answer.ErrorDetail);
        Assert.Equal(response.VersionInfo, answer.VersionInfo);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _proxy.StopAsync();
        await _proxy.DisposeAsync();
    }
}
