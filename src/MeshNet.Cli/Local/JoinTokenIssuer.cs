using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace MeshNet.Cli.Local;

/// <summary>
/// Gets one join token per namespace and service account from the control plane (as `meshctl token create` does),
/// so every sidecar `up` starts proves its identity to the CA and serves mTLS. Tokens reach the sidecar through its
/// environment, never its command line, which other local users can read.
/// </summary>
internal sealed class JoinTokenIssuer(HttpClient http, Uri controlPlaneAdmin)
{
    public const string EnvironmentVariable = "MESHNET_JOIN_TOKEN";

    private readonly ConcurrentDictionary<(string Namespace, string ServiceAccount), Lazy<Task<string>>> _tokens = new();

    public Task<string> ForAsync(string ns, string serviceAccount, CancellationToken cancellationToken) =>
        _tokens.GetOrAdd((ns, serviceAccount), key => new Lazy<Task<string>>(() => RequestAsync(key.Namespace, key.ServiceAccount, cancellationToken))).Value;

    private async Task<string> RequestAsync(string ns, string serviceAccount, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(
            new Uri(controlPlaneAdmin, "/identity/tokens"),
            new JsonObject { ["namespace"] = ns, ["serviceAccount"] = serviceAccount, ["ttl"] = "24h" },
            cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode || (string?)body?["token"] is not { Length: > 0 } token)
        {
            throw new InvalidOperationException(
                $"the control plane refused a join token for {ns}/{serviceAccount}: {(string?)body?["error"] ?? $"HTTP {(int)response.StatusCode}"}");
        }

        return token;
    }
}
