using System.Globalization;
using System.Net;
using System.Text.Json;
using MeshNet.ControlPlane.Tests.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Tests.Telemetry;

/// <summary>
/// The real control plane and a real meshnet-proxy process: the pod annotation turns the access log on, and the
/// Deployment-style pod name with its pod-template-hash label names the workload.
/// </summary>
public sealed class AccessLogEndToEndTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static string Manifests(int appPort) => $$$"""
        apiVersion: v1
        kind: Service
        metadata: {name: posts, namespace: blog}
        spec:
          selector: {app: posts}
          ports: [{name: http, port: 80, targetPort: {{{appPort}}}}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: posts-db, namespace: blog, labels: {app: posts}}
        spec: {containers: [{name: app, image: blog-app, ports: [{name: http, containerPort: {{{appPort}}}}]}]}
        status: {podIP: 127.0.0.1, conditions: [{type: Ready, status: "True"}]}
        """;

    [Fact]
    public async Task AnAnnotatedSidecar_WritesJsonLines_NamedByItsDeployment()
    {
        await using var app = await StartAppAsync();
        var appPort = new Uri(app.Urls.First()).Port;
        await using var mesh = await ManifestControlPlane.StartAsync("meshnet-accesslog", ("posts.yaml", Manifests(appPort)));
        using var sidecar = ProxyProcess.Start(
            new Dictionary<string, string>(),
            "--control-plane", $"http://{mesh.App.GrpcEndPoint}", "--name", "frontend-5f6d7c8b9-x2x9z", "--namespace", "blog",
            "--labels", "app=frontend,pod-template-hash=5f6d7c8b9", "--annotations", "meshnet.io/access-log=json", "--service-account", "frontend",
            "--app-port", appPort.ToString(CultureInfo.InvariantCulture),
            "--inbound", "127.0.0.1:0", "--outbound", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--dns", "off", "--mark", "0");
        var ready = await sidecar.ReadLineAsync(Deadline);
        Assert.StartsWith("meshnet-proxy ready ", ready, StringComparison.Ordinal);
        var outbound = ready!.Split(' ').Single(f => f.StartsWith("outbound=", StringComparison.Ordinal))["outbound=".Length..];

        // A request to the Service (an unmeshed pod) once the sidecar has its route logs one outbound line.
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        var deadline = DateTime.UtcNow + Deadline;
        HttpStatusCode status;
        do
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{outbound}/hello") { Headers = { Host = "posts.blog" } };
            using var response = await client.SendAsync(request);
            status = response.StatusCode;
        }
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline && await Task.Delay(100).ContinueWith(_ => true));
        Assert.Equal(HttpStatusCode.OK, status);

        var lines = new List<JsonElement>();
        while (!lines.Any(IsOk("outbound")))
        {
            lines.Add(JsonDocument.Parse(await sidecar.ReadLineAsync(Deadline) ?? throw new InvalidOperationException("stdout ended")).RootElement);
        }

        var sent = lines.First(IsOk("outbound"));
        Assert.Equal(("frontend", "blog"), (sent.GetProperty("source").GetProperty("workload").GetString(), sent.GetProperty("source").GetProperty("namespace").GetString()));
        Assert.Equal("posts", sent.GetProperty("destination").GetProperty("service").GetString());
        Assert.Equal(("GET", "posts.blog", "/hello"), (sent.GetProperty("method").GetString(), sent.GetProperty("authority").GetString(), sent.GetProperty("path").GetString()));
        Assert.Equal($"127.0.0.1:{appPort}", sent.GetProperty("destination").GetProperty("endpoint").GetString());
        Assert.Equal(5, sent.GetProperty("bytesOut").GetInt64());
    }

    private static Func<JsonElement, bool> IsOk(string direction) =>
        line => line.GetProperty("direction").GetString() == direction && line.GetProperty("status").GetInt32() == 200;

    private static async Task<WebApplication> StartAppAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapGet("/{**path}", () => "hello");
        await app.StartAsync();
        return app;
    }
}
