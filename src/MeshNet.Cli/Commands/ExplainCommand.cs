using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MeshNet.Kubernetes.Analysis;

namespace MeshNet.Cli.Commands;

/// <param name="Service">NAME.NS (or a longer host name), with <paramref name="Error"/>.</param>
/// <param name="Source">NS/WORKLOAD, with <paramref name="Url"/>.</param>
internal sealed record ExplainQuery(string? Error, string? Service, string? Source, string? Url, string Method);

/// <summary>
/// `meshctl explain`: asks the control plane's /debug/explain which config object produced an outcome, and prints
/// the one-line verdict followed by each decision (service, port, route, policy, endpoints, authorization).
/// </summary>
internal sealed class ExplainCommand(HttpClient http, Uri controlPlane, TextWriter output, TextWriter error)
{
    public const int ExitOk = 0;
    public const int ExitCouldNotRun = 2;

    public async Task<int> RunAsync(ExplainQuery query, bool json, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        Explanation? explanation;
        try
        {
            explanation = await http.GetFromJsonAsync(new Uri(controlPlane, "/debug/explain" + QueryString(query)), ExplainJsonContext.Default.Explanation, cancellationToken)
                .ConfigureAwait(false);
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
