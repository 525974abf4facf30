using MeshNet.Protocol.V1;
using MeshNet.Proxy.Authorization;
using MeshNet.Proxy.Identity;
using MeshNet.Proxy.Tls;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace MeshNet.Proxy.Tests.Authorization;

/// <summary>The inbound gate on a request: identity from the mTLS layer, the 403/400 answers and the denial log line.</summary>
public sealed class InboundAuthorizationTests
{
    private const string Frontend = "spiffe://cluster.local/ns/blog/sa/frontend";
    private const string Comments = "spiffe://cluster.local/ns/blog/sa/comments";

    [Fact]
    public void Allows_ThePrincipalThePolicyNames_FromThePeerIdentityItem()
    {
        var logs = new RecordingLogger();
        var gate = new InboundAuthorization(() => FrontendMayGetPosts(), logs);
        var context = Context("GET", "/posts/./1", Frontend);

        Assert.NotNull(gate.Authorize(context, 8080));
        Assert.Equal(200, context.Response.StatusCode);
        Assert.Empty(logs.Lines);
    }

    [Fact]
    public void Denies_AnotherPrincipal_With403AndALogLineNamingPolicyAndCaller()
    {
        var logs = new RecordingLogger();
        var gate = new InboundAuthorization(() => FrontendMayGetPosts(), logs);
        var context = Context("GET", "/posts/1", Comments);

        Assert.Null(gate.Authorize(context, 8080));
        Assert.Equal(403, context.Response.StatusCode);
        Assert.Equal("authz-denied", context.Response.Headers["x-meshnet-error"].ToString());
        var line = Assert.Single(logs.Lines);
        Assert.Contains("blog/frontend-reads-posts", line, StringComparison.Ordinal);
        Assert.Contains(Comments, line, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadsTheCallerFromTheMtlsListenersConnectionPeer()
    {
        var gate = new InboundAuthorization(() => FrontendMayGetPosts(), new RecordingLogger());
        Assert.True(SpiffeId.TryParse(Frontend, out var frontend));
        var context = Context("GET", "/posts/1", identity: null);
        var connectionItems = new Dictionary<object, object?>();
        MeshPeer.Set(connectionItems, new MeshPeer(frontend));
        context.Features.Set<IConnectionItemsFeature>(new ConnectionItems(connectionItems));

        Assert.NotNull(gate.Authorize(context, 8080));
    }

    [Fact]
    public void Denies_PlaintextCaller_AndSaysSo()
    {
        var logs = new RecordingLogger();
        var gate = new InboundAuthorization(() => FrontendMayGetPosts(), logs);
        var context = Context("GET", "/posts/1", identity: null);

        Assert.Null(gate.Authorize(context, 8080));
        Assert.Equal(403, context.Response.StatusCode);
        Assert.Contains("from plaintext", Assert.Single(logs.Lines), StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_EncodedSlash_With400BadPath_BeforeAnyPolicy()
    {
        var gate = new InboundAuthorization(() => null, new RecordingLogger());
        var context = Context("GET", "/posts%2F..%2Fadmin", Frontend);

        Assert.Null(gate.Authorize(context, 8080));
        Assert.Equal(400, context.Response.StatusCode);
        Assert.Equal("bad-path", context.Response.Headers["x-meshnet-error"].ToString());
    }

    [Fact]
    public void FollowsTheAppliedConfig_WhenItChanges()
    {
        Inbound? current = new Inbound { DefaultDeny = true };
        var gate = new InboundAuthorization(() => current, new RecordingLogger());

        Assert.Null(gate.Authorize(Context("GET", "/", Frontend), 8080));
        current = new Inbound();
        Assert.NotNull(gate.Authorize(Context("GET", "/", Frontend), 8080));
    }

    private static Inbound FrontendMayGetPosts()
    {
        var source = new AuthorizationSource { Principals = { Frontend } };
        var operation = new AuthorizationOperation { Methods = { "GET" }, Paths = { "/posts/*" } };
        var policy = new AuthorizationPolicy { Name = "blog/frontend-reads-posts", Rules = { new AuthorizationRule { From = { source }, To = { operation } } } };
        return new Inbound { Authorization = { policy } };
    }

    private static DefaultHttpContext Context(string method, string rawTarget, string? identity)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Features.Get<IHttpRequestFeature>()!.RawTarget = rawTarget;
        if (identity is not null)
        {
            context.Items[PeerIdentity.ItemKey] = identity;
        }

        return context;
    }

    private sealed class ConnectionItems(IDictionary<object, object?> items) : IConnectionItemsFeature
    {
        public IDictionary<object, object?> Items { get; set; } = items;
    }

    private sealed class RecordingLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}
