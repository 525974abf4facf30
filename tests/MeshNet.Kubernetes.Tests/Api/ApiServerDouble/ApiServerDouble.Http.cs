using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace MeshNet.Kubernetes.Tests.Api;

/// <summary>The HTTP side of the double: routing, LIST, WATCH, PATCH of status, TokenReview, GET and POST of Secrets.</summary>
internal sealed partial class ApiServerDouble
{
    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value!.Trim('/').Split('/');
        var method = context.Request.Method;
        // /api/v1/<resource> or /apis/<group>/<version>/<resource>[...]
        var rest = path[0] == "api" ? path[2..] : path[3..];
        if (method == "POST" && path is ["apis", "authentication.k8s.io", "v1", "tokenreviews"])
        {
            await ReviewTokenAsync(context);
            return;
        }

        if (method == "PATCH" && rest is ["namespaces", var ns, var resource, var name, "status"])
        {
            await PatchStatusAsync(context, resource, ns, name);
            return;
        }

        if (rest is ["namespaces", var secretNs, "secrets", ..])
        {
            await SecretAsync(context, method, secretNs, rest.Length > 3 ? rest[3] : null);
            return;
        }

        if (method == "GET" && rest is [var listed])
        {
            var query = context.Request.Query;
            if (query["watch"] is ["true" or "1"])
            {
                await WatchAsync(context, listed, query["resourceVersion"].ToString(), query["allowWatchBookmarks"] == "true");
            }
            else
            {
                await ListAsync(context, listed, query["limit"].ToString(), query["continue"].ToString());
            }

            return;
        }

        await WriteStatusAsync(context, 404, "NotFound", $"the server could not find the requested resource ({method} {context.Request.Path})");
    }

    private async Task ListAsync(HttpContext context, string resource, string limitText, string continueToken)
    {
        if (Count($"LIST {resource}"))
        {
            await WriteStatusAsync(context, 500, "InternalError", "Internal error occurred: etcdserver: request timed out");
            return;
        }

        JsonObject list;
        lock (_lock)
        {
            var all = _objects.Where(o => o.Key.Resource == resource).OrderBy(o => o.Key.Namespace, StringComparer.Ordinal).ThenBy(o => o.Key.Name, StringComparer.Ordinal).Select(o => o.Value).ToList();
            var offset = 0;
            var listVersion = _version;
            if (continueToken.Length > 0)
            {
                var parts = continueToken.Split(':');
                listVersion = long.Parse(parts[0], CultureInfo.InvariantCulture);
                offset = int.Parse(parts[1], CultureInfo.InvariantCulture);
                if (listVersion < _oldestRetained)
                {
                    goto Expired;
                }
            }

            var limit = int.TryParse(limitText, out var asked) && asked > 0 ? Math.Min(asked, MaxPageSize) : all.Count;
            var page = all.Skip(offset).Take(limit).Select(o => (JsonNode)ListItem(resource, o)).ToArray();
            var metadata = new JsonObject { ["resourceVersion"] = listVersion.ToString(CultureInfo.InvariantCulture) };
            if (offset + limit < all.Count)
            {
                metadata["continue"] = $"{listVersion}:{offset + limit}";
            }

            list = new JsonObject
            {
                ["kind"] = ApiObjects.KindOf(resource) + "List",
                ["apiVersion"] = ApiObjects.ApiVersionOf(resource),
                ["metadata"] = metadata,
                ["items"] = new JsonArray(page),
            };
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(list.ToJsonString());
        return;

    Expired:
        await WriteStatusAsync(context, 410, "Expired", "The provided continue parameter is too old to display a consistent list result.");
    }

    /// <summary>Built-in kinds' list items carry no apiVersion/kind on the wire; custom resources' do.</summary>
    private static JsonObject ListItem(string resource, JsonObject item)
    {
        var copy = item.DeepClone().AsObject();
        if (!ApiObjects.IsCustom(resource))
        {
            copy.Remove("apiVersion");
            copy.Remove("kind");
        }

        return copy;
    }

    private async Task WatchAsync(HttpContext context, string resource, string fromText, bool bookmarks)
    {
        if (Count($"WATCH {resource}"))
        {
            await WriteStatusAsync(context, 500, "InternalError", "Internal error occurred: etcdserver: request timed out");
            return;
        }

        var from = long.TryParse(fromText, out var parsed) ? parsed : 0;
        var events = Channel.CreateUnbounded<string>();
        Watch watch;
        lock (_lock)
        {
            if (from != 0 && from < _oldestRetained - 1)
            {
                if (StaleWatch == StaleWatchAnswer.HttpGone)
                {
                    goto Gone;
                }

                events.Writer.TryWrite(GoneEvent(from));
                events.Writer.TryComplete();
            }
            else
            {
                foreach (var (version, _, type, item) in _history.Where(h => h.Resource == resource && h.Version > from))
                {
                    events.Writer.TryWrite(Event(type, item));
                }
            }

            watch = new Watch(resource, from, bookmarks, events);
            _watches.Add(watch);
        }

        try
        {
            context.Response.ContentType = "application/json";
            await context.Response.StartAsync(context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await foreach (var line in events.Reader.ReadAllAsync(context.RequestAborted))
            {
                await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(line), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            lock (_lock)
            {
                _watches.Remove(watch);
            }
        }

        return;

    Gone:
        await WriteStatusAsync(context, 410, "Expired", $"too old resource version: {from} ({_oldestRetained})");
    }

    private async Task PatchStatusAsync(HttpContext context, string resource, string ns, string name)
    {
        var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        var contentType = context.Request.ContentType ?? string.Empty;
        JsonObject? updated = null;
        lock (_lock)
        {
            _patches.Add(new RecordedPatch(resource, ns, name, contentType, body.DeepClone().AsObject()));
            if (_objects.TryGetValue((resource, ns, name), out var existing) && contentType.StartsWith("application/merge-patch+json", StringComparison.Ordinal))
            {
                updated = existing.DeepClone().AsObject();
                // Only status is taken from a status PATCH, as the status subresource does.
                updated["status"] = MergePatch(updated["status"], body["status"]);
                Record(resource, "MODIFIED", (resource, ns, name), updated);
            }
        }

        // Counted once recorded, so a test that waits for the count finds the patch in Patches.
        _ = Count($"PATCH {resource}/status");

        if (updated is null)
        {
            await WriteStatusAsync(context, contentType.StartsWith("application/merge-patch+json", StringComparison.Ordinal) ? 404 : 415, "NotFound", $"{resource} \"{name}\" not found");
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(updated.ToJsonString());
    }

    /// <summary>RFC 7386.</summary>
    private static JsonNode? MergePatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target is JsonObject t ? t.DeepClone().AsObject() : new JsonObject();
        foreach (var (name, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(name);
            }
            else
            {
                result[name] = MergePatch(result[name], value);
            }
        }

        return result;
    }

    private async Task ReviewTokenAsync(HttpContext context)
    {
        _ = Count("POST tokenreviews");
        var review = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        var token = review["spec"]?["token"]?.GetValue<string>() ?? string.Empty;
        var asked = review["spec"]?["audiences"]?.AsArray().Select(a => a!.GetValue<string>()).ToArray() ?? [];
        JsonObject status;
        lock (_lock)
        {
            _reviews.Add(new RecordedTokenReview(token, asked));
            if (_tokens.TryGetValue(token, out var known) && (asked.Length == 0 || asked.Any(known.Audiences.Contains)))
            {
                var parts = known.Username.Split(':');
                status = new JsonObject
                {
                    ["authenticated"] = true,
                    ["user"] = new JsonObject
                    {
                        ["username"] = known.Username,
                        ["uid"] = Guid.NewGuid().ToString(),
                        ["groups"] = new JsonArray("system:serviceaccounts", $"system:serviceaccounts:{(parts.Length > 2 ? parts[2] : string.Empty)}", "system:authenticated"),
                    },
                    ["audiences"] = new JsonArray([.. (asked.Length == 0 ? known.Audiences : asked.Where(known.Audiences.Contains)).Select(a => (JsonNode)a)]),
                };
            }
            else
            {
                status = new JsonObject
                {
                    ["user"] = new JsonObject(),
                    ["error"] = _tokens.ContainsKey(token) ? "[invalid bearer token, token audiences are invalid]" : "[invalid bearer token, square/go-jose: error in cryptographic primitive]",
                };
            }
        }

        review["status"] = status;
        review["metadata"] = new JsonObject { ["creationTimestamp"] = null };
        context.Response.StatusCode = 201;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(review.ToJsonString());
    }

    private static async Task WriteStatusAsync(HttpContext context, int code, string reason, string message)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(Status(code, reason, message).ToJsonString());
    }
}
