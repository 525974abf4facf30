using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MeshNet.Kubernetes.Analysis;

namespace MeshNet.Cli.Commands;

/// <param name="Service">NAME.NS (or a longer host name), with <paramref name="Error"/>.</param>
/// <param name="Source">NS/WORKLOAD, with <paramref name="Url"/>.</param>
/// <param name="Id">An x-request-id or trace id of a failed response, alone.</param>
internal sealed record ExplainQuery(string? Error, string? Service, string? Source, string? Url, string Method, string? Id = null);

/// <summary>
/// `meshctl explain`: asks the control plane's /debug/explain which config object produced an outcome, and prints
/// the one-line verdict followed by each decision (service, port, route, policy, endpoints, authorization). By id,
/// the first steps say what the sidecars recorded about that request; an id no sidecar remembers exits 1.
/// </summary>
internal sealed class ExplainCommand(HttpClient http, Uri controlPlane, TextWriter output, TextWriter error)
{
    public const int ExitOk = ExitCodes.Ok;
    public const int ExitNotFound = ExitCodes.Failed;
    public const int ExitCouldNotRun = ExitCodes.CouldNotRun;

    public async Task<int> RunAsync(ExplainQuery query, bool json, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        Explanation? explanation;
        try
        {
            using var response = await http.GetAsync(new Uri(controlPlane, "/debug/explain" + QueryString(query)), cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var message = await ErrorMessageAsync(response, cancellationToken).ConfigureAwait(false);
                await error.WriteLineAsync($"meshctl explain: {message}").ConfigureAwait(false);
                return response.StatusCode == System.Net.HttpStatusCode.NotFound && query.Id is not null ? ExitNotFound : ExitCouldNotRun;
            }

            explanation = await response.Content.ReadFromJsonAsync(ExplainJsonContext.Default.Explanation, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync(
                $"meshctl explain: cannot read /debug/explain from the control plane at {controlPlane} ({e.Message}) (--control-plane URL or {ControlPlaneLocator.EnvironmentVariable})")
                .ConfigureAwait(false);
            return ExitCouldNotRun;
        }

        if (explanation is null)
        {
            await error.WriteLineAsync("meshctl explain: the control plane returned no explanation").ConfigureAwait(false);
            return ExitCouldNotRun;
        }

        await output.WriteAsync(json ? JsonSerializer.Serialize(explanation, ExplainJsonContext.Default.Explanation) + "\n" : Format(explanation)).ConfigureAwait(false);
        return ExitOk;
    }

    public static string Format(Explanation explanation)
    {
        ArgumentNullException.ThrowIfNull(explanation);
        var text = new StringBuilder().Append(explanation.Summary).Append('\n');
        var width = explanation.Steps.IsDefaultOrEmpty ? 0 : explanation.Steps.Max(s => s.Stage.Length);
        foreach (var step in explanation.Steps.IsDefault ? [] : explanation.Steps)
        {
            text.Append("  ").Append(step.Stage.PadRight(width)).Append("  ").Append(step.Detail);
            if (step.Source is { } source)
            {
                text.Append("  [").Append(source).Append(']');
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The control plane's {"error": "..."} message, else the status line.</summary>
    private static async Task<string> ErrorMessageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var message) && message.ValueKind == JsonValueKind.String)
            {
                return message.GetString()!;
            }
        }
        catch (JsonException)
        {
        }

        return $"the control plane answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
    }

    private static string QueryString(ExplainQuery query)
    {
        var pairs = new List<string>();
        void Add(string name, string? value)
        {
            if (value is not null)
            {
                pairs.Add($"{name}={Uri.EscapeDataString(value)}");
            }
        }

        if (query.Id is not null)
        {
            Add("id", query.Id);
            return "?" + string.Join("&", pairs);
        }

        Add("error", query.Error);
        Add("service", query.Service);
        Add("source", query.Source);
        Add("url", query.Url);
        Add("method", query.Method);
        return "?" + string.Join("&", pairs);
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(Explanation))]
internal sealed partial class ExplainJsonContext : JsonSerializerContext;
