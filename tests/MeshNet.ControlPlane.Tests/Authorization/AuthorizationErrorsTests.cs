using System.Collections.Immutable;
using System.Net.Http.Json;
using System.Text.Json;
using MeshNet.ControlPlane.Hosting;
using MeshNet.Model;
using MeshNet.Model.Security;
using Microsoft.Extensions.Logging;
using static MeshNet.ControlPlane.Tests.TestResources;

namespace MeshNet.ControlPlane.Tests.Authorization;

/// <summary>The real composition root: authorization errors go through the tracker and pipeline to /debug/errors.</summary>
public sealed class AuthorizationErrorsTests : IAsyncLifetime
{
    private ControlPlaneApp _app = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        var options = ControlPlaneOptions.Parse(["--grpc", "127.0.0.1:0", "--admin", "127.0.0.1:0"]);
        _app = ControlPlaneApp.Create(options, logging: l => l.ClearProviders(), runUpdateLoop: false);
        await _app.StartAsync(CancellationToken.None);
        _admin = new HttpClient { BaseAddress = new Uri($"http://{_app.AdminEndPoint}") };
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Reports_UnknownTargetAndBadAnnotation_InDebugErrors_AndClearsThemWhenFixed()
    {
        var policy = new AuthorizationPolicy("blog", "readers", new AuthorizationTarget("posts", null), AuthorizationAction.Allow, []);
        _app.Tracker.Upsert(new MeshNamespace("blog", ImmutableDictionary<string, string>.Empty, Labels("meshnet.io/mtls=mandatory")));
        _app.Tracker.Upsert(policy);
        _app.Pipeline.Flush();

        var errors = await ErrorsAsync();

        Assert.Equal(
            [
                ("control-plane: authorization", "AuthorizationPolicy blog/readers", "spec.targetRef.name", "Service blog/posts does not exist"),
                ("control-plane: authorization", "Namespace/blog", "metadata.annotations[meshnet.io/mtls]", "unsupported value \"mandatory\": must be one of strict, permissive, disabled"),
            ],
            errors.Select(e => (e.GetProperty("origin").GetString(), e.GetProperty("resource").GetString(), e.GetProperty("field").GetString(), e.GetProperty("message").GetString())));

        _app.Tracker.Upsert(Service("blog", "posts", "app=posts"));
        _app.Tracker.Upsert(new MeshNamespace("blog", ImmutableDictionary<string, string>.Empty, Labels("meshnet.io/mtls=strict")));
        _app.Pipeline.Flush();
        _app.Pipeline.Flush();
        Assert.Empty(await ErrorsAsync());
    }

    private async Task<List<JsonElement>> ErrorsAsync() =>
        [.. (await _admin.GetFromJsonAsync<JsonElement>("/debug/errors")).EnumerateArray()];
}
