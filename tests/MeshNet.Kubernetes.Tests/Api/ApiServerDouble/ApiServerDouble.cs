// A TEST DOUBLE of the Kubernetes API server. No Kubernetes API server can run on this machine, so the tests of
// Kubernetes mode talk to this Kestrel server instead. It speaks the API's real wire format over real HTTP: JSON LIST
// responses carrying metadata.resourceVersion (with limit/continue paging), chunked WATCH streams of
// {"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{...}} lines, 410 Gone both as an ERROR event holding a
// Status object with code 410 and as an HTTP 410 response to a stale resourceVersion, TokenReview POSTs, and JSON
// merge-patch PATCHes of the status subresource. Objects are real object JSON (see ApiObjects). The code under test
// is the production watcher and KubernetesClient, unchanged.
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MeshNet.Kubernetes.Tests.Api;

/// <summary>How a watch from a resourceVersion older than the retained history is answered.</summary>
public enum StaleWatchAnswer
{
    /// <summary>200 with one ERROR event (Status code 410, reason Expired), then the stream ends: what kube-apiserver does.</summary>
    ErrorEvent,

    /// <summary>HTTP 410 with a Status body.</summary>
    HttpGone,
}

internal sealed record RecordedPatch(string Resource, string Namespace, string Name, string ContentType, JsonObject Body);

internal sealed record RecordedTokenReview(string Token, IReadOnlyList<string> Audiences);

internal sealed partial class ApiServerDouble : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Resource, string Namespace, string Name), JsonObject> _objects = [];
    private readonly List<(long Version, string Resource, string Type, JsonObject Object)> _history = [];
    private readonly List<Watch> _watches = [];
    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.Ordinal);
    private readonly List<RecordedPatch> _patches = [];
    private readonly List<RecordedTokenReview> _reviews = [];
    private readonly Dictionary<string, (string Username, string[] Audiences)> _tokens = new(StringComparer.Ordinal);
    private readonly Channel<string> _activity = Channel.CreateUnbounded<string>();
    private readonly ConcurrentDictionary<string, int> _failNext = new(StringComparer.Ordinal);
    private long _version = 100;
    private long _oldestRetained;

    private ApiServerDouble(WebApplication app)
    {
        _app = app;
    }

    public Uri Url { get; private set; } = null!;

    public StaleWatchAnswer StaleWatch { get; set; } = StaleWatchAnswer.ErrorEvent;

    /// <summary>Objects per LIST page when the client asks for more; small so paging is exercised.</summary>
    public int MaxPageSize { get; set; } = 2;

    public static async Task<ApiServerDouble> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new ApiServerDouble(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.Url = new Uri(app.Urls.First());
        return server;
    }

    public IKubernetes CreateClient() => new k8s.Kubernetes(new KubernetesClientConfiguration { Host = Url.ToString() });

    /// <summary>A kubeconfig whose current context points at this server with a bearer token.</summary>
    public string WriteKubeconfig(string directory)
    {
        var path = Path.Combine(directory, "kubeconfig");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: double
              cluster:
                server: {Url.ToString().TrimEnd('/')}
            users:
            - name: meshnet-control
              user:
                token: control-plane-token
            contexts:
            - name: double
              context:
                cluster: double
                user: meshnet-control
            current-context: double
            """);
        return path;
    }

    /// <summary>Requests served, by "VERB resource" ("LIST pods", "WATCH pods", "PATCH trafficpolicies/status").</summary>
    public int Requests(string what) => _requests.GetValueOrDefault(what);

    /// <summary>Completes with the next request line served (after the given one count) — lets tests wait for a reconnect without sleeping.</summary>
    public async Task WaitForRequestsAsync(string what, int count, CancellationToken cancellationToken)
    {
        while (Requests(what) < count)
        {
            await _activity.Reader.ReadAsync(cancellationToken);
        }
    }

    public IReadOnlyList<RecordedPatch> Patches
    {
        get
        {
            lock (_lock)
            {
                return [.. _patches];
            }
        }
    }

    public IReadOnlyList<RecordedTokenReview> TokenReviews
    {
        get
        {
            lock (_lock)
            {
                return [.. _reviews];
            }
        }
    }

    /// <summary>Makes TokenReview authenticate <paramref name="token"/> as <paramref name="username"/>, valid for the given audiences.</summary>
    /// <summary>Answers the next <paramref name="count"/> requests of <paramref name="what"/> ("LIST pods") with 500.</summary>
    public void FailNext(string what, int count) => _failNext[what] = count;

    public void AcceptToken(string token, string username, params string[] audiences)
    {
        lock (_lock)
        {
            _tokens[token] = (username, audiences);
        }
    }

    public long ResourceVersion
    {
        get
        {
            lock (_lock)
            {
                return _version;
            }
        }
    }

    /// <summary>Creates or replaces an object (by kind, namespace, name) as a client's PUT would: ADDED or MODIFIED to watchers.</summary>
    public JsonObject Apply(string json)
    {
        var incoming = JsonNode.Parse(json)!.AsObject();
        var resource = ApiObjects.ResourceOf(incoming["kind"]!.GetValue<string>());
        var metadata = incoming["metadata"]!.AsObject();
        var ns = metadata["namespace"]?.GetValue<string>() ?? string.Empty;
        var name = metadata["name"]!.GetValue<string>();
        lock (_lock)
        {
            var key = (resource, ns, name);
            var existing = _objects.GetValueOrDefault(key);
            var generation = existing?["metadata"]?["generation"]?.GetValue<long>() ?? 0;
            if (existing is null || !JsonNode.DeepEquals(existing["spec"], incoming["spec"]))
            {
                generation++;
            }

            metadata["uid"] = existing?["metadata"]?["uid"]?.GetValue<string>() ?? Guid.NewGuid().ToString();
            metadata["creationTimestamp"] = existing?["metadata"]?["creationTimestamp"]?.GetValue<string>() ?? "2026-11-26T10:00:00Z";
            metadata["generation"] = generation;
            if (existing?["status"] is { } status && incoming["status"] is null && ApiObjects.IsCustom(resource))
            {
                // The status subresource is not written through the main resource.
                incoming["status"] = status.DeepClone();
            }

            Record(resource, existing is null ? "ADDED" : "MODIFIED", key, incoming);
            return incoming;
        }
    }

    public void Delete(string kind, string ns, string name)
    {
        var resource = ApiObjects.ResourceOf(kind);
        lock (_lock)
        {
            if (_objects.Remove((resource, ns, name), out var removed))
            {
                var copy = removed.DeepClone().AsObject();
                _version++;
                copy["metadata"]!["resourceVersion"] = _version.ToString(CultureInfo.InvariantCulture);
                Publish(resource, "DELETED", copy);
            }
        }
    }

    public JsonObject? Get(string kind, string ns, string name)
    {
        lock (_lock)
        {
            return _objects.GetValueOrDefault((ApiObjects.ResourceOf(kind), ns, name))?.DeepClone().AsObject();
        }
    }

    /// <summary>Forgets all history: a watch from any resourceVersion seen so far is now too old (etcd compaction).</summary>
    public void Compact()
    {
        lock (_lock)
        {
            _history.Clear();
            _oldestRetained = _version + 1;
        }
    }

    /// <summary>Ends every open watch of <paramref name="resource"/> with an ERROR event holding a 410 Status.</summary>
    public void ExpireWatches(string resource)
    {
        lock (_lock)
        {
            foreach (var watch in _watches.Where(w => w.Resource == resource).ToList())
            {
                watch.Events.Writer.TryWrite(GoneEvent(watch.From));
                watch.Events.Writer.TryComplete();
            }
        }
    }

    /// <summary>Sends a BOOKMARK at the current resourceVersion to every open watch that asked for bookmarks.</summary>
    public void Bookmark(string resource)
    {
        lock (_lock)
        {
            foreach (var watch in _watches.Where(w => w.Resource == resource && w.Bookmarks))
            {
                var bookmark = new JsonObject
                {
                    ["kind"] = ApiObjects.KindOf(resource),
                    ["apiVersion"] = ApiObjects.ApiVersionOf(resource),
                    ["metadata"] = new JsonObject { ["resourceVersion"] = _version.ToString(CultureInfo.InvariantCulture) },
                };
                watch.Events.Writer.TryWrite(Event("BOOKMARK", bookmark));
            }
        }
    }

    /// <summary>Ends every open watch of <paramref name="resource"/> cleanly, as the server's watch timeout does.</summary>
    public void CloseWatches(string resource)
    {
        lock (_lock)
        {
            foreach (var watch in _watches.Where(w => w.Resource == resource))
            {
                watch.Events.Writer.TryComplete();
            }
        }
    }

    /// <summary>Changes an object without telling watchers, and forgets history: only a relist can find out.</summary>
    public void ApplySilently(string json)
    {
        lock (_lock)
        {
            var watches = _watches.ToList();
            _watches.Clear();
            Apply(json);
            _watches.AddRange(watches);
            _history.Clear();
            _oldestRetained = _version + 1;
        }
    }

    public void DeleteSilently(string kind, string ns, string name)
    {
        lock (_lock)
        {
            var watches = _watches.ToList();
            _watches.Clear();
            Delete(kind, ns, name);
            _watches.AddRange(watches);
            _history.Clear();
            _oldestRetained = _version + 1;
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            foreach (var watch in _watches)
            {
                watch.Events.Writer.TryComplete();
            }
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private void Record(string resource, string type, (string, string, string) key, JsonObject item)
    {
        _version++;
        item["metadata"]!["resourceVersion"] = _version.ToString(CultureInfo.InvariantCulture);
        _objects[key] = item;
        Publish(resource, type, item.DeepClone().AsObject());
    }

    private void Publish(string resource, string type, JsonObject item)
    {
        _history.Add((_version, resource, type, item));
        foreach (var watch in _watches.Where(w => w.Resource == resource))
        {
            watch.Events.Writer.TryWrite(Event(type, item));
        }
    }

    private static string Event(string type, JsonObject item) =>
        new JsonObject { ["type"] = type, ["object"] = item.DeepClone() }.ToJsonString() + "\n";

    private string GoneEvent(long from) => Event("ERROR", Status(410, "Expired", $"too old resource version: {from} ({_oldestRetained})"));

    private static JsonObject Status(int code, string reason, string message) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = message,
        ["reason"] = reason,
        ["code"] = code,
    };

    /// <summary>Counts the request; true when it must fail (see <see cref="FailNext"/>).</summary>
    private bool Count(string what)
    {
        _requests.AddOrUpdate(what, 1, (_, n) => n + 1);
        _activity.Writer.TryWrite(what);
        while (_failNext.TryGetValue(what, out var left) && left > 0)
        {
            if (_failNext.TryUpdate(what, left - 1, left))
            {
                return true;
            }
        }

        return false;
    }

    private sealed record Watch(string Resource, long From, bool Bookmarks, Channel<string> Events);
}
