using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MeshNet.Kubernetes.Analysis;
using MeshNet.Kubernetes.Manifests;

namespace MeshNet.Cli.Commands;

/// <summary>
/// `meshctl analyze DIR | --live [-o json]`: misconfigurations with a code, the resource and a fix. Exit 1 when an
/// error-severity finding exists (for CI), 0 otherwise, 2 when the analysis could not run.
/// </summary>
internal sealed class AnalyzeCommand(TextWriter output, TextWriter error)
{

    public async Task<int> RunOfflineAsync(string path, bool json)
    {
        ManifestSet set;
        try
        {
            set = ManifestLoader.LoadDirectory(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"meshctl analyze: {e.Message}").ConfigureAwait(false);
            return ExitCodes.CouldNotRun;
        }

        return await ReportAsync(MeshAnalyzer.Analyze(AnalysisInput.FromManifests(set)), json).ConfigureAwait(false);
    }

    public async Task<int> RunLiveAsync(HttpClient http, Uri controlPlane, bool json, CancellationToken cancellationToken)
    {
        List<AnalysisFinding> findings;
        try
        {
            findings = await http.GetFromJsonAsync(new Uri(controlPlane, "/debug/analysis"), AnalysisJsonContext.Default.ListAnalysisFinding, cancellationToken)
                .ConfigureAwait(false) ?? [];
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync(
                $"meshctl analyze --live: cannot read /debug/analysis from the control plane at {controlPlane} ({e.Message}) (--control-plane URL or {ControlPlaneLocator.EnvironmentVariable})")
                .ConfigureAwait(false);
            return ExitCodes.CouldNotRun;
        }

        return await ReportAsync(findings, json).ConfigureAwait(false);
    }

    private async Task<int> ReportAsync(IReadOnlyList<AnalysisFinding> findings, bool json)
    {
        await output.WriteAsync(json ? FormatJson(findings) : FormatText(findings)).ConfigureAwait(false);
        return MeshAnalyzer.HasErrors(findings) ? ExitCodes.Failed : ExitCodes.Ok;
    }

    public static string FormatJson(IReadOnlyList<AnalysisFinding> findings) =>
        JsonSerializer.Serialize(findings.ToList(), AnalysisJsonContext.Default.ListAnalysisFinding) + "\n";

    /// <summary>One block per finding: a header line, the message, the fix; then a one-line summary.</summary>
    public static string FormatText(IReadOnlyList<AnalysisFinding> findings)
    {
        var text = new StringBuilder();
        foreach (var finding in findings)
        {
            var field = string.IsNullOrEmpty(finding.Field) ? string.Empty : $" {finding.Field}";
            text.Append(CultureInfo.InvariantCulture, $"{finding.Severity.ToString().ToUpperInvariant(),-7} {finding.Code} {finding.Resource}{field}\n");
            text.Append(CultureInfo.InvariantCulture, $"        {finding.Message}\n");
            text.Append(CultureInfo.InvariantCulture, $"        fix: {finding.Fix}\n");
        }

        if (findings.Count == 0)
        {
            text.Append("No problems found.\n");
            return text.ToString();
        }

        int Count(FindingSeverity severity) => findings.Count(f => f.Severity == severity);
        text.Append(CultureInfo.InvariantCulture,
            $"{findings.Count} finding(s): {Count(FindingSeverity.Error)} error(s), {Count(FindingSeverity.Warning)} warning(s), {Count(FindingSeverity.Info)} info\n");
        return text.ToString();
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(List<AnalysisFinding>))]
internal sealed partial class AnalysisJsonContext : JsonSerializerContext;
