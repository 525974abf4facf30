using System.Diagnostics;
using System.Net;
using System.Text.Json;
using MeshNet.EndToEnd.Tests.Authorization;
using MeshNet.EndToEnd.Tests.Harness;
using Xunit.Abstractions;
using static MeshNet.EndToEnd.Tests.Traffic.TrafficManifests;

namespace MeshNet.EndToEnd.Tests.Traffic;

/// <summary>
/// A user holding a failed response asks about its x-request-id (or its trace id): the mesh's own error responses
/// carry one, the sidecars remember the request, and /debug/explain?id= and the real `meshctl explain --id` name
/// the config object that refused it.
/// </summary>
public sealed class ExplainByIdTests(ITestOutputHelper output)
{
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task CircuitBreakerOverflow_IsExplainedByItsOwnRequestId_ItsTraceId_AndTheIdTheMeshGaveIt()
    {
        await using var mesh = await TrafficBed.StartAsync(output, "backend-1");
        await mesh.ApplyAsync(PolicyFile, Policy(
            "backend-breaker",
            "circuitBreaker: {maxRequests: 1}",
            "retries: {attempts: 0, on: [connect-failure]}"),
            "\"e2e/backend-breaker\"");
        await mesh.Backends[0].App!.Control.SetFaultsAsync(new BackendFaults(DelayMs: 10_000));
        using var client = new MeshClient(mesh.Client.RequiredSidecar.Outbound);
        client.Http.Timeout = TimeSpan.FromSeconds(30);

        // One request holds the only slot while the others are refused.
        var held = SendAsync(client, []);
        await Poll.UntilAsync(async () => (await mesh.ClientStatsAsync())["activeRequests"] == 1, Timeout, "the held request is in flight");
        var own = await SendAsync(client, [("x-request-id", "e2e-overload-1")]);
        var traced = await SendAsync(client, [("traceparent", $"00-{TraceId}-00f067aa0ba902b7-01")]);
        var bare = await SendAsync(client, []);
        mesh.Log.Note($"refused: {own}, {traced}, {bare}");

        Assert.Equal((503, "overloaded", "e2e-overload-1"), own);
        Assert.Equal((503, "overloaded", TraceId), traced);
        Assert.Equal((503, "overloaded"), (bare.Status, bare.Error));
        Assert.Matches("^[0-9a-f]{32}$", bare.RequestId);

        const string Summary = "503 overloaded: TrafficPolicy e2e/backend-breaker circuitBreaker.maxRequests=1";
        using var admin = new HttpClient { Timeout = Timeout };
        foreach (var id in new[] { "e2e-overload-1", TraceId, bare.RequestId! })
        {
            using var explanation = JsonDocument.Parse(await admin.GetStringAsync($"http://{mesh.Bed.ControlPlane.Admin}/debug/explain?id={id}"));
            var root = explanation.RootElement;
            mesh.Log.Note($"explain {id}: {root.GetRawText()}");
            Assert.Equal(Summary, root.GetProperty("summary").GetString());
            var request = root.GetProperty("requests").EnumerateArray().Single();
            Assert.Equal(("outbound", $"e2e/{mesh.Client.Name}", "e2e/backend"), (request.GetProperty("direction").GetString(), request.GetProperty("sidecar").GetString(), request.GetProperty("service").GetString()));
            Assert.StartsWith("request", root.GetProperty("steps")[0].GetProperty("stage").GetString(), StringComparison.Ordinal);
        }

        var (code, stdout, stderr) = await MeshctlAsync(mesh.Bed, "explain", "--id", TraceId);
        Assert.True(code == 0, $"meshctl explain --id exited {code}\n{stderr}");
        Assert.Equal(Summary, stdout.Split('\n')[0]);
        Assert.Contains("request", stdout.Split('\n')[1], StringComparison.Ordinal);

        var unknown = await MeshctlAsync(mesh.Bed, "explain", "--id", "never-sent");
        Assert.Equal(1, unknown.Code);
        Assert.Contains("each sidecar keeps only its last 1000 failures", unknown.Stderr, StringComparison.Ordinal);

        await mesh.Backends[0].App!.Control.SetFaultsAsync(new BackendFaults());
        await held;
    }

    [Fact]
    public async Task AuthzDenied_IsFoundAtBothSidecars_CallerFirst_AndNamesTheDenyPolicy()
    {
        var log = new RecordingOutput(output);
        await using var bed = await MeshTestBed.StartAsync(log, BlogSample.Manifests());
        await using var blog = new BlogSample(bed);
        var posts = await blog.StartPostsAsync("posts-1");
        var comments = await blog.StartCallerAsync("comments-1", "comments");
        await blog.WaitForPostsAsync(Timeout, posts.Address);
        await AuthorizationProbe.WaitForCertificateAsync(posts.RequiredSidecar, Timeout);
        await AuthorizationProbe.WaitForCertificateAsync(comments.RequiredSidecar, Timeout);
        await bed.WaitForSidecarConfigAsync(comments.RequiredSidecar, [posts.Address]);
        using var asComments = new MeshClient(comments.RequiredSidecar.Outbound);

        var denied = await SendAsync(asComments, [("x-request-id", "e2e-authz-1")], "http://posts.blog/posts/42?draft=1");

        Assert.Equal((403, "authz-denied", "e2e-authz-1"), denied);
        using var admin = new HttpClient { Timeout = Timeout };
        using var explanation = JsonDocument.Parse(await admin.GetStringAsync($"http://{bed.ControlPlane.Admin}/debug/explain?id=e2e-authz-1"));
        var root = explanation.RootElement;
        bed.Log.Note($"explain: {root.GetRawText()}");
        Assert.Equal("403 authz-denied: AuthorizationPolicy blog/posts-deny-comments rule 0 (DENY) matches blog/comments", root.GetProperty("summary").GetString());
        var requests = root.GetProperty("requests").EnumerateArray().ToList();
        Assert.Equal(
            [("outbound", "blog/comments-1"), ("inbound", "blog/posts-1")],
            requests.Select(r => (r.GetProperty("direction").GetString(), r.GetProperty("sidecar").GetString())));
        Assert.Equal("/posts/42", requests[1].GetProperty("path").GetString());
        Assert.Equal("spiffe://cluster.local/ns/blog/sa/comments", requests[1].GetProperty("peer").GetString());
        Assert.Contains("blog/posts-deny-comments", requests[1].GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Without an id of its own, the callee's sidecar makes one up; the caller's records it from the response.
        var bare = await SendAsync(asComments, [], "http://posts.blog/posts/43");
        Assert.Equal((403, "authz-denied"), (bare.Status, bare.Error));
        using var byMeshId = JsonDocument.Parse(await admin.GetStringAsync($"http://{bed.ControlPlane.Admin}/debug/explain?id={bare.RequestId}"));
        Assert.Equal(
            ["outbound", "inbound"],
            byMeshId.RootElement.GetProperty("requests").EnumerateArray().Select(r => r.GetProperty("direction").GetString()));

        var (code, stdout, stderr) = await MeshctlAsync(bed, "explain", "--id", "e2e-authz-1", "-o", "json");
        Assert.True(code == 0, $"meshctl explain --id -o json exited {code}\n{stderr}");
        using var printed = JsonDocument.Parse(stdout);
        Assert.Equal(root.GetProperty("summary").GetString(), printed.RootElement.GetProperty("summary").GetString());
        Assert.Equal(2, printed.RootElement.GetProperty("requests").GetArrayLength());
    }

    private static async Task<(int Status, string? Error, string? RequestId)> SendAsync(
        MeshClient client, (string Name, string Value)[] headers, string url = MeshScenario.BackendUrl)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await client.Http.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        return (
            (int)response.StatusCode,
            response.Headers.TryGetValues(MeshClient.ErrorHeader, out var errors) ? errors.Single() : null,
            response.Headers.TryGetValues("x-request-id", out var ids) ? ids.Single() : null);
    }

    /// <summary>The real meshctl against this mesh's control plane.</summary>
    private static async Task<(int Code, string Stdout, string Stderr)> MeshctlAsync(MeshTestBed bed, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(MeshBinaries.Find("MeshNet.Cli", "meshctl.dll"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.ArgumentList.Add("--control-plane");
        info.ArgumentList.Add($"http://{bed.ControlPlane.Admin}");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
