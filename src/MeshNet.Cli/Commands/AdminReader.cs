using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MeshNet.Cli.Commands;

/// <summary>GETs one admin API path of the control plane as JSON, with the one-line hint meshctl prints when it cannot.</summary>
internal sealed class AdminReader(HttpClient http, Uri controlPlane, TextWriter error)
{
    public Uri ControlPlane => controlPlane;

    /// <summary>The parsed body, or null after printing why (prefixed by <paramref name="command"/>).</summary>
    public async Task<JsonNode?> GetAsync(string command, string path, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(controlPlane, path), cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var reason = TryParse(body)?["error"]?.GetValue<string>() ?? $"HTTP {(int)response.StatusCode}";
                await error.WriteLineAsync($"meshctl {command}: {reason}").ConfigureAwait(false);
                return null;
            }

            return JsonNode.Parse(body);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync(
                $"meshctl {command}: cannot read {path} from the control plane at {controlPlane} ({e.Message}); is `meshctl up` running? (--control-plane URL or {ControlPlaneLocator.EnvironmentVariable})")
                .ConfigureAwait(false);
            return null;
        }
    }

    private static JsonNode? TryParse(string body)
    {
        try
        {
            return JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
