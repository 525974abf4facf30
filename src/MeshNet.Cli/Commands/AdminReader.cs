using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MeshNet.Cli.Commands;

/// <summary>GETs one admin API path of the control plane as JSON, with the one-line hint meshctl prints when it cannot.</summary>
internal sealed class AdminReader(HttpClient http, Uri controlPlane, TextWriter error)
{
    public Uri ControlPlane => controlPlane;

    /// <summary>
    /// The parsed body, or no body after printing why (prefixed by <paramref name="command"/>), with the exit code that
    /// failure means: the control plane answering no (not found, refused) is <see cref="ExitCodes.Failed"/>, not
    /// reaching it at all is <see cref="ExitCodes.CouldNotRun"/>.
    /// </summary>
    public async Task<AdminReply> GetAsync(string command, string path, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(controlPlane, path), cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var reason = TryParse(body)?["error"]?.GetValue<string>() ?? $"HTTP {(int)response.StatusCode}";
                await error.WriteLineAsync($"meshctl {command}: {reason}").ConfigureAwait(false);
                return new AdminReply(null, ExitCodes.Failed);
            }

            return new AdminReply(JsonNode.Parse(body), ExitCodes.Ok);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync(
                $"meshctl {command}: cannot read {path} from the control plane at {controlPlane} ({e.Message}); is `meshctl up` running? (--control-plane URL or {ControlPlaneLocator.EnvironmentVariable})")
                .ConfigureAwait(false);
            return new AdminReply(null, ExitCodes.CouldNotRun);
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

/// <param name="Body">The parsed JSON; null when the read failed.</param>
/// <param name="ExitCode">What the command exits with when it cannot go on without the body.</param>
internal readonly record struct AdminReply(JsonNode? Body, int ExitCode);
