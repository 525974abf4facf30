using System.Net;
using System.Net.Sockets;
using Grpc.Net.Client;
using MeshNet.EndToEnd.Tests.Harness;
using MeshNet.TestBackend.Echo.V1;
using Xunit.Abstractions;

namespace MeshNet.EndToEnd.Tests.SelfTests;

/// <summary>The test backend alone, spoken to directly: what the mesh tests rely on it to say.</summary>
public sealed class TestBackendTests(ITestOutputHelper output)
{
    private static readonly HttpClient Direct = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task AnswersHttp1_WithItsNameInHeaderAndBody()
    {
        await using var backend = await StartAsync("alpha");

        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{backend.Http}/any/path?q=1");
        request.Headers.Host = "posts.blog";
        using var response = await Direct.SendAsync(request);
        var body = await ParseAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("alpha", Assert.Single(response.Headers.GetValues("x-backend")));
        Assert.Equal("alpha", body.GetProperty("name").GetString());
        Assert.Equal("/any/path", body.GetProperty("path").GetString());
        Assert.Equal("posts.blog", body.GetProperty("host").GetString());
        Assert.Equal("HTTP/1.1", body.GetProperty("protocol").GetString());
    }

    [Fact]
    public async Task AnswersH2c_OnItsHttp2Port()
    {
        await using var backend = await StartAsync("beta");

        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{backend.H2c}/x")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using var response = await Direct.SendAsync(request);
        var body = await ParseAsync(response);

        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal("HTTP/2", body.GetProperty("protocol").GetString());
        Assert.Equal(backend.H2c.Port, body.GetProperty("port").GetInt32());
    }

    [Fact]
    public async Task AnswersHealthz()
    {
        await using var backend = await StartAsync("gamma");

        using var response = await Direct.GetAsync($"http://{backend.Http}/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AnswersGrpcSay_WithItsName()
    {
        await using var backend = await StartAsync("delta");
        using var channel = GrpcChannel.ForAddress($"http://{backend.H2c}");

        var reply = await new Echo.EchoClient(channel).SayAsync(new SayRequest { Message = "ping" });

        Assert.Equal("delta", reply.Backend);
        Assert.Equal("ping", reply.Message);
    }

    [Fact]
    public async Task Dispose_KillsTheProcess_AndFreesItsPort()
    {
        var address = LoopbackAddresses.NextPodAddress(PodPorts.All);
        var backend = await BackendProcess.StartAsync("epsilon", address, new TestLog(output));

        await backend.DisposeAsync();

        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        var refused = await Assert.ThrowsAsync<SocketException>(() => socket.ConnectAsync(backend.Http));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    private async Task<BackendProcess> StartAsync(string name) =>
        await BackendProcess.StartAsync(name, LoopbackAddresses.NextPodAddress(PodPorts.All), new TestLog(output));

    private static async Task<System.Text.Json.JsonElement> ParseAsync(HttpResponseMessage response) =>
        System.Text.Json.JsonSerializer.Deserialize<System.Text.Json.JsonElement>(await response.Content.ReadAsStringAsync());
}
