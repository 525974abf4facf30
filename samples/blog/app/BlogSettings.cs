using System.Net;

namespace BlogApp;

/// <summary>
/// Everything the app learns from its environment, as a Kubernetes container would: the role and version from
/// the Deployment, the pod's name, namespace and IP from the downward API, and (in loopback mode only) where its
/// sidecar's outbound listener is, and (BLOG_BACKENDS, comma-separated) which Services a request calls in turn.
/// </summary>
internal sealed record BlogSettings(
    string Role,
    string Version,
    string PodName,
    string PodNamespace,
    IPAddress ListenAddress,
    int Port,
    Uri? Outbound,
    IReadOnlyList<string> Backends)
{
    public static readonly string[] Roles = ["frontend", "users", "posts", "comments"];

    /// <summary>Whom the frontend calls unless BLOG_BACKENDS says otherwise; other roles call nobody by default.</summary>
    public static readonly string[] FrontendBackends = ["users", "posts", "comments"];

    public static BlogSettings FromEnvironment()
    {
        var role = Get("BLOG_ROLE") ?? "frontend";
        if (!Roles.Contains(role))
        {
            throw new InvalidOperationException(
                $"BLOG_ROLE must be one of {string.Join(", ", Roles)}, not '{role}'.");
        }

        var outbound = Get("MESHNET_OUTBOUND");
        return new BlogSettings(
            role,
            Get("BLOG_VERSION") ?? "v1",
            Get("POD_NAME") ?? Environment.MachineName,
            Get("POD_NAMESPACE") ?? "default",
            IPAddress.Parse(Get("POD_IP") ?? "127.0.0.1"),
            int.Parse(Get("PORT") ?? "8080"),
            outbound is null ? null : new Uri(outbound),
            Get("BLOG_BACKENDS") is { } backends
                ? backends.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : role == "frontend" ? FrontendBackends : []);
    }

    private static string? Get(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}
