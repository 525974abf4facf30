using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using MeshNet.ControlPlane.Hosting;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace MeshNet.ControlPlane.Tests;

/// <summary>
/// The control plane's --dns listener checked with a real resolver client (dig) against manifests holding a ClusterIP
/// Service with an allocated address, a headless Service with a StatefulSet-style pod and an ExternalName Service.
/// </summary>
public sealed class ClusterDnsDigTests : IAsyncLifetime
{
    private const string Manifests = """
        apiVersion: v1
        kind: Service
        metadata: {name: posts, namespace: blog}
        spec:
          selector: {app: posts}
          ports: [{name: http, port: 80, targetPort: 8080}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: posts-headless, namespace: blog}
        spec:
          clusterIP: None
          selector: {app: posts}
          ports: [{name: http, port: 80, targetPort: 8080}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: db, namespace: blog}
        spec:
          type: ExternalName
          externalName: db.example.com
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: posts-0
          namespace: blog
          labels: {app: posts}
        spec:
          hostname: posts-0
          subdomain: posts-headless
          containers: [{name: app, image: blog-app, ports: [{containerPort: 8080, name: http}]}]
        status:
          podIP: 127.0.1.9
          conditions: [{type: Ready, status: "True"}]
        """;

    private readonly ITestOutputHelper _output;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mnt-dns-" + Guid.NewGuid().ToString("N")[..8]);
    private ControlPlaneApp? _app;
    private string _clusterIP = "";
    private JsonElement _services;

    public ClusterDnsDigTests(ITestOutputHelper output)
    {
        _output = output;
    }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_directory, "manifests"));
        await File.WriteAllTextAsync(Path.Combine(_directory, "manifests", "blog.yaml"), Manifests);
        var options = ControlPlaneOptions.Parse([
            "--config", Path.Combine(_directory, "manifests"), "--grpc", "127.0.0.1:0", "--admin", "127.0.0.1:0",
            "--dns", "127.0.0.1:0", "--state-dir", Path.Combine(_directory, "state")]);
        _app = ControlPlaneApp.Create(options, logging: l => l.ClearProviders());
        await _app.StartAsync(CancellationToken.None);
        using var admin = new HttpClient { BaseAddress = new Uri($"http://{_app.AdminEndPoint}") };
        var services = await admin.GetFromJsonAsync<JsonElement>("/debug/services");
        _services = services;
        _clusterIP = services.EnumerateArray().Single(s => s.GetProperty("name").GetString() == "posts")
            .GetProperty("clusterIPs").EnumerateArray().Single().GetString()!;
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void DebugServices_GivesAnExternalNameServicesTarget_AndNoneForOthers()
    {
        var byName = _services.EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!);

        Assert.Equal("db.example.com", byName["db"].GetProperty("externalName").GetString());
        Assert.Equal(JsonValueKind.Null, byName["posts"].GetProperty("externalName").ValueKind);
    }

    [Fact]
    public void Prints_TheDnsEndpoint_InTheReadyLine()
    {
        Assert.EndsWith($" dns={_app!.Dns.LocalEndPoint}", _app.ReadyLine(), StringComparison.Ordinal);
        Assert.NotEqual(0, _app.Dns.LocalEndPoint!.Port);
    }

    [Theory]
    [InlineData("posts.blog.svc.cluster.local", "A", "{clusterIP}")]
    [InlineData("_http._tcp.posts.blog.svc.cluster.local", "SRV", "0 100 80 posts.blog.svc.cluster.local.")]
    [InlineData("posts-headless.blog.svc.cluster.local", "A", "127.0.1.9")]
    [InlineData("posts-0.posts-headless.blog.svc.cluster.local", "A", "127.0.1.9")]
    [InlineData("_http._tcp.posts-headless.blog.svc.cluster.local", "SRV", "0 100 8080 posts-0.posts-headless.blog.svc.cluster.local.")]
    [InlineData("db.blog.svc.cluster.local", "CNAME", "db.example.com.")]
    [InlineData("dns-version.cluster.local", "TXT", "\"1.1.0\"")]
    public async Task Answers_TheSpecsRecords(string name, string type, string expected)
    {
        if (DigMissing())
        {
            return;
        }

        var answer = await DigAsync(name, type);

        Assert.Equal(expected.Replace("{clusterIP}", _clusterIP, StringComparison.Ordinal), answer);
    }

    [Fact]
    public async Task Answers_PtrForTheAllocatedClusterIP_OverTcpToo()
    {
        if (DigMissing())
        {
            return;
        }

        Assert.Equal("posts.blog.svc.cluster.local.", await DigAsync(_clusterIP, "-x"));
        Assert.Equal("posts.blog.svc.cluster.local.", await DigAsync(_clusterIP, "-x", "+tcp"));
    }

    [Fact]
    public async Task Answers_NxdomainForAnUnknownService()
    {
        if (DigMissing())
        {
            return;
        }

        var status = await DigAsync("nope.blog.svc.cluster.local", "A", "+noshort", "+noall", "+comments");

        Assert.Contains("status: NXDOMAIN", status, StringComparison.Ordinal);
    }

    private bool DigMissing()
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, "dig")));
        if (!found)
        {
            _output.WriteLine("skipped: dig is not on PATH (install dnsutils or bind-utils to run this test)");
        }

        return !found;
    }

    /// <summary>dig +short against the control plane's DNS listener.</summary>
    private async Task<string> DigAsync(string name, string type, params string[] extra)
    {
        var info = new ProcessStartInfo("dig") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["@127.0.0.1", "-p", _app!.Dns.LocalEndPoint!.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "+short", "+tries=1", "+time=5", .. extra])
        {
            info.ArgumentList.Add(arg);
        }

        if (type == "-x")
        {
            info.ArgumentList.Add("-x");
            info.ArgumentList.Add(name);
        }
        else
        {
            info.ArgumentList.Add(name);
            info.ArgumentList.Add(type);
        }

        using var process = Process.Start(info)!;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var output = await process.StandardOutput.ReadToEndAsync(deadline.Token);
        await process.WaitForExitAsync(deadline.Token);
        return output.Trim();
    }
}
