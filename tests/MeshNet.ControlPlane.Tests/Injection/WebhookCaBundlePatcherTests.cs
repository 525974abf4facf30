using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using MeshNet.ControlPlane.Injection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MeshNet.ControlPlane.Tests.Injection;

/// <summary>
/// No API server runs here: a Kestrel test server answers the two calls (GET and a json-patch PATCH of one
/// MutatingWebhookConfiguration) with the real wire format, and the production client code talks to it.
/// </summary>
public sealed class WebhookCaBundlePatcherTests : IAsyncLifetime
{
    private const string Name = "meshnet-sidecar-injector";
    private const string ResourcePath = "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/" + Name;
    private readonly List<(string Method, string ContentType, string Body)> _calls = [];
    private WebApplication _api = null!;
    private int _failuresLeft;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _api = builder.Build();
        _api.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            lock (_calls)
            {
                _calls.Add((context.Request.Method, context.Request.ContentType ?? string.Empty, body));
            }

            if (context.Request.Path != ResourcePath)
            {
                context.Response.StatusCode = 404;
                return;
            }

            if (Interlocked.Decrement(ref _failuresLeft) >= 0)
            {
                context.Response.StatusCode = 503;
                return;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(Configuration().ToJsonString());
        });
        await _api.StartAsync();
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task Patches_EveryWebhooksCaBundle_WithTheRootsPem_Once()
    {
        using var root = Root("CN=mesh root");
        var patcher = Patcher([root]);

        Assert.True(await patcher.SyncAsync(CancellationToken.None));
        Assert.True(await patcher.SyncAsync(CancellationToken.None));

        Assert.Equal(["GET", "PATCH"], _calls.Select(c => c.Method));
        var (_, contentType, body) = _calls[1];
        Assert.StartsWith("application/json-patch+json", contentType, StringComparison.Ordinal);
        var patch = JsonNode.Parse(body)!.AsArray();
        Assert.Equal("""{"op":"test","path":"/webhooks/1/name","value":"pod.inject.meshnet.io"}""", patch[0]!.ToJsonString());
        Assert.Equal(["/webhooks/0/clientConfig/caBundle", "/webhooks/1/clientConfig/caBundle"], patch.Skip(1).Select(op => (string)op!["path"]!));
        var pem = Encoding.ASCII.GetString(Convert.FromBase64String((string)patch[1]!["value"]!));
        Assert.Equal(root.ExportCertificatePem() + "\n", pem);
    }

    [Fact]
    public async Task Retries_AfterTheApiFails_AndPatchesAgain_WhenTheRootsChange()
    {
        using var first = Root("CN=first root");
        using var second = Root("CN=second root");
        X509Certificate2[] roots = [first];
        var patcher = Patcher(() => roots);
        _failuresLeft = 1;

        Assert.False(await patcher.SyncAsync(CancellationToken.None));
        Assert.True(await patcher.SyncAsync(CancellationToken.None));
        roots = [first, second];
        Assert.True(await patcher.SyncAsync(CancellationToken.None));

        Assert.Equal(["GET", "GET", "PATCH", "GET", "PATCH"], _calls.Select(c => c.Method));
        var pem = Encoding.ASCII.GetString(Convert.FromBase64String((string)JsonNode.Parse(_calls[4].Body)![1]!["value"]!));
        Assert.Equal(2, pem.Split("BEGIN CERTIFICATE").Length - 1);
    }

    private WebhookCaBundlePatcher Patcher(X509Certificate2[] roots) => Patcher(() => roots);

    private WebhookCaBundlePatcher Patcher(Func<IEnumerable<X509Certificate2>> roots)
    {
        var client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = _api.Urls.Single() });
        return new WebhookCaBundlePatcher(client, Name, roots, TimeProvider.System, NullLogger<WebhookCaBundlePatcher>.Instance);
    }

    private static JsonObject Configuration() => new()
    {
        ["apiVersion"] = "admissionregistration.k8s.io/v1",
        ["kind"] = "MutatingWebhookConfiguration",
        ["metadata"] = new JsonObject { ["name"] = Name, ["resourceVersion"] = "42" },
        ["webhooks"] = new JsonArray(Webhook("namespace.inject.meshnet.io"), Webhook("pod.inject.meshnet.io")),
    };

    private static JsonObject Webhook(string name) => new()
    {
        ["name"] = name,
        ["admissionReviewVersions"] = new JsonArray("v1"),
        ["sideEffects"] = "None",
        ["clientConfig"] = new JsonObject { ["service"] = new JsonObject { ["name"] = "meshnet-control", ["namespace"] = "meshnet-system", ["path"] = "/inject" } },
    };

    private static X509Certificate2 Root(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));
    }
}
