using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace MeshNet.Kubernetes.Tests.Api;

/// <summary>
/// Secrets by name, as kube-apiserver answers them: GET one (404 NotFound when absent), POST to create (201 with the
/// stored object, 409 AlreadyExists when the name is taken: create never overwrites). Data values stay base64 as sent.
/// GETs honour <see cref="FailNext"/> ("GET secrets").
/// </summary>
internal sealed partial class ApiServerDouble
{
    private readonly List<JsonObject> _createdSecrets = [];
    private TaskCompletionSource? _secretReadBarrier;
    private int _secretReadsToHold;

    /// <summary>The bodies of every Secret POST, in arrival order, accepted or refused.</summary>
    public IReadOnlyList<JsonObject> SecretPosts
    {
        get
        {
            lock (_lock)
            {
                return [.. _createdSecrets];
            }
        }
    }

    /// <summary>
    /// Holds each of the next <paramref name="readers"/> Secret GETs until all of them have arrived, then answers them
    /// together: replicas that start at once all see the Secret absent and race to create it.
    /// </summary>
    public void HoldSecretReadsUntil(int readers)
    {
        lock (_lock)
        {
            _secretReadsToHold = readers;
            _secretReadBarrier = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    private async Task SecretAsync(HttpContext context, string method, string ns, string? name)
    {
        if (method == "GET" && name is not null)
        {
            if (Count("GET secrets"))
            {
                await WriteStatusAsync(context, 500, "InternalError", "Internal error occurred: etcdserver: request timed out");
                return;
            }

            Task? hold = null;
            lock (_lock)
            {
                if (_secretReadBarrier is { } barrier && _secretReadsToHold > 0)
                {
                    hold = barrier.Task;
                    if (--_secretReadsToHold == 0)
                    {
                        barrier.SetResult();
                    }
                }
            }

            if (hold is not null)
            {
                await hold.WaitAsync(context.RequestAborted);
            }

            var found = Get("Secret", ns, name);
            if (found is null)
            {
                await WriteStatusAsync(context, 404, "NotFound", $"secrets \"{name}\" not found");
                return;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(found.ToJsonString());
            return;
        }

        if (method == "POST" && name is null)
        {
            var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
            var secretName = body["metadata"]?["name"]?.GetValue<string>() ?? string.Empty;
            JsonObject? created = null;
            lock (_lock)
            {
                _createdSecrets.Add(body.DeepClone().AsObject());
                if (!_objects.ContainsKey(("secrets", ns, secretName)))
                {
                    body["metadata"]!["namespace"] = ns;
                    created = Apply(body.ToJsonString());
                }
            }

            _ = Count("POST secrets");
            if (created is null)
            {
                await WriteStatusAsync(context, 409, "AlreadyExists", $"secrets \"{secretName}\" already exists");
                return;
            }

            context.Response.StatusCode = 201;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(created.ToJsonString());
            return;
        }

        await WriteStatusAsync(context, 405, "MethodNotAllowed", $"the double does not serve {method} on secrets");
    }
}
