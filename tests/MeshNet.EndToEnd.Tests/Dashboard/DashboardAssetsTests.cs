using System.Net;
using System.Text.RegularExpressions;
using MeshNet.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace MeshNet.EndToEnd.Tests.Dashboard;

/// <summary>/ui on a real control plane's admin listener: the embedded bundle, nothing else, with safe headers.</summary>
public sealed partial class DashboardAssetsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Serves_TheBundleReferencedByIndex_WithContentTypesAndPolicy()
    {
        await using var bed = await MeshTestBed.StartAsync(output);
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false })
        {
            BaseAddress = new Uri($"http://{bed.ControlPlane.Admin}"),
        };

        using var bare = await http.GetAsync("/ui");
        Assert.Equal(HttpStatusCode.Redirect, bare.StatusCode);
        Assert.Equal("/ui/", bare.Headers.Location?.OriginalString);

        using var index = await http.GetAsync("/ui/");
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        Assert.Equal("text/html", index.Content.Headers.ContentType?.MediaType);
        Assert.Contains("default-src 'self'", index.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        var html = await index.Content.ReadAsStringAsync();
        var assets = AssetReference().Matches(html).Select(m => m.Groups["file"].Value).ToList();
        Assert.Equal(["app.css", "app.js"], assets.Order());
        // No CDN at run time: every script and stylesheet comes from the control plane itself.
        Assert.DoesNotContain("http", string.Join(' ', assets), StringComparison.Ordinal);

        foreach (var (file, type) in new[] { ("app.js", "text/javascript"), ("app.css", "text/css") })
        {
            using var asset = await http.GetAsync($"/ui/{file}");
            Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
            Assert.Equal(type, asset.Content.Headers.ContentType?.MediaType);
            Assert.True((await asset.Content.ReadAsByteArrayAsync()).Length > 1000, $"{file} is nearly empty");
        }
    }

    [Fact]
    public async Task Answers_NotModified_ForItsETag_AndNotFound_ForOtherFiles()
    {
        await using var bed = await MeshTestBed.StartAsync(output);
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri($"http://{bed.ControlPlane.Admin}") };

        using var first = await http.GetAsync("/ui/app.js");
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        using var again = new HttpRequestMessage(HttpMethod.Get, "/ui/app.js");
        again.Headers.IfNoneMatch.Add(etag);
        using var cached = await http.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, cached.StatusCode);

        foreach (var path in new[] { "/ui/missing.js", "/ui/..%2Fappsettings.json", "/ui/meshnet-control.dll" })
        {
            using var response = await http.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }

    [GeneratedRegex(@"(?:src|href)=""(?<file>[^""]+\.(?:js|css))""")]
    private static partial Regex AssetReference();
}
