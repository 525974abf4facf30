using System.Net;
using MeshNet.Protocol.V1;
using MeshNet.Proxy.Tests.Infrastructure;
using MeshNet.Proxy.Tests.Tls;

namespace MeshNet.Proxy.Tests.Authorization;

/// <summary>
/// The issue's scenario on the real sidecar with real mTLS: frontend may GET posts, comments may not (403), and a
/// plaintext caller is denied too; the denial is logged with the policy and the caller's identity.
/// </summary>
public sealed class MtlsAuthorizationTests
{
    private const string Frontend = "spiffe://cluster.local/ns/blog/sa/frontend";
    private const string Comments = "spiffe://cluster.local/ns/blog/sa/comments";

    [Fact]
    public async Task FrontendMayGetPosts_CommentsMayNot()
    {
        using var ca = new TestCa();
        await using var app = await PeerEchoApp.StartAsync();
        await using var sidecar = await MtlsSidecar.StartAsync(new TestCaCertifier(ca, TimeSpan.FromHours(1)), app.Port, MtlsMode.Permissive);
        var readers = new AuthorizationPolicy
        {
            Name = "blog/posts-readers",
            Rules =
            {
                new AuthorizationRule
                {
                    From = { new AuthorizationSource { Principals = { Frontend } } },
                    To = { new AuthorizationOperation { Methods = { "GET" }, Paths = { "/posts/*" } } },
                },
            },
        };
        var inbound = new Inbound { DefaultPort = (uint)app.Port, Mtls = MtlsMode.Permissive, Authorization = { readers } };
        await Sidecar.AcceptAsync(sidecar.ControlPlane, MeshConfig.Full("2", [], [], inbound));
        using var frontendCertificate = ca.Issue(Frontend);
        using var commentsCertificate = ca.Issue(Comments);
        using var frontend = MtlsSidecar.MtlsClient(frontendCertificate, ca.Root);
        using var comments = MtlsSidecar.MtlsClient(commentsCertificate, ca.Root);
        using var plaintext = new HttpClient();
        var url = $"https://127.0.0.1:{sidecar.InboundPort}/posts/1";

        using var allowed = await frontend.GetAsync(url);
        using var denied = await comments.GetAsync(url);
        using var deniedPath = await frontend.GetAsync($"https://127.0.0.1:{sidecar.InboundPort}/users/1");
        using var deniedPlaintext = await plaintext.GetAsync($"http://127.0.0.1:{sidecar.InboundPort}/posts/1");

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal($"HTTP/1.1|{Frontend}", await allowed.Content.ReadAsStringAsync());
        foreach (var response in new[] { denied, deniedPath, deniedPlaintext })
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("authz-denied", response.Headers.GetValues("x-meshnet-error").Single());
        }

        var lines = sidecar.Logs.Where(l => l.Contains("by policy blog/posts-readers", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, lines.Count);
        Assert.Contains(lines, l => l.Contains($"from {Comments}", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("from plaintext", StringComparison.Ordinal));
    }
}
