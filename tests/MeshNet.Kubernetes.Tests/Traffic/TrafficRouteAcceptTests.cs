using System.Collections.Immutable;
using MeshNet.Model.Traffic;
using static MeshNet.Kubernetes.Tests.Traffic.TrafficParsing;

namespace MeshNet.Kubernetes.Tests.Traffic;

/// <summary>Valid TrafficRoutes convert exactly, with the CRD's field defaults filled in.</summary>
public sealed class TrafficRouteAcceptTests
{
    private static readonly PolicyTarget Posts = new("Service", "posts", null);

    private static ImmutableSortedDictionary<string, string> Labels(string key, string value) =>
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create(key, value)]);

    public static TheoryData<string, TrafficRoute> Routes => new()
    {
        {
            """
            spec:
              targetRef: {kind: Service, name: posts}
              rules:
              - matches: [{path: {type: PathPrefix, value: /api}, headers: [{name: X-Canary, value: "true"}], method: GET}]
                backends: [{subset: {version: v2}, weight: 100}]
              - backends: [{subset: {version: v1}, weight: 90}, {subset: {version: v2}, weight: 10}]
            """,
            new TrafficRoute("blog", "posts", Posts,
            [
                new RouteRule(
                    [new RouteMatch(new PathMatch(PathMatchType.PathPrefix, "/api"), [new HeaderMatch("x-canary", "true", HeaderMatchType.Exact)], "GET")],
                    [new RouteBackend(Labels("version", "v2"), null, null, 100)]),
                new RouteRule([], [new RouteBackend(Labels("version", "v1"), null, null, 90), new RouteBackend(Labels("version", "v2"), null, null, 10)]),
            ])
        },
        {
            // Defaults: path type PathPrefix, header type Exact, weight 1; a match with nothing set matches everything.
            """
            spec:
              targetRef: {kind: Service, name: posts, port: 80}
              rules:
              - matches: [{path: {value: /}}, {headers: [{name: x-user, value: "^a.*$", type: RegularExpression}, {name: x-b, value: b}]}, {}]
                backends: [{service: posts-v2, port: 8080}, {service: posts, weight: 0}]
            """,
            new TrafficRoute("blog", "posts", new PolicyTarget("Service", "posts", 80),
            [
                new RouteRule(
                    [
                        new RouteMatch(new PathMatch(PathMatchType.PathPrefix, "/"), [], null),
                        new RouteMatch(null, [new HeaderMatch("x-user", "^a.*$", HeaderMatchType.RegularExpression), new HeaderMatch("x-b", "b", HeaderMatchType.Exact)], null),
                        new RouteMatch(null, [], null),
                    ],
                    [new RouteBackend(null, "posts-v2", 8080, 1), new RouteBackend(null, "posts", null, 0)]),
            ])
        },
        {
            """
            spec:
              targetRef: {kind: Service, name: posts}
              rules:
              - matches: [{path: {type: Exact, value: /healthz}, method: HEAD}, {path: {type: RegularExpression, value: "^/posts/[0-9]+$"}}]
                backends: [{subset: {version: v1, track: stable}}]
            """,
            new TrafficRoute("blog", "posts", Posts,
            [
                new RouteRule(
                    [
                        new RouteMatch(new PathMatch(PathMatchType.Exact, "/healthz"), [], "HEAD"),
                        new RouteMatch(new PathMatch(PathMatchType.RegularExpression, "^/posts/[0-9]+$"), [], null),
                    ],
                    [new RouteBackend(Labels("track", "stable").Add("version", "v1"), null, null, 1)]),
            ])
        },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public void Converts_ValidRoute(string spec, TrafficRoute expected) =>
        AssertSame(expected, Accept(RouteHeader + spec));
}
