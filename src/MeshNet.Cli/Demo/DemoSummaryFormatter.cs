using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshNet.Cli.Demo;

/// <summary>Renders a <see cref="DemoSummary"/> for people (aligned text) or for scripts (JSON).</summary>
internal static class DemoSummaryFormatter
{
    public static string ToText(DemoSummary summary)
    {
        var text = new StringBuilder();
        var rate = summary.DurationSeconds > 0 ? summary.Requests / summary.DurationSeconds : 0;
        Line(text, $"Pods ready      {summary.Pods} pods in {summary.ReadySeconds:0.0} s");
        Line(text, $"Requests        {summary.Requests} in {summary.DurationSeconds:0.0} s ({rate:0.0}/s)");
        Line(text, $"Success rate    {summary.SuccessRate * 100:0.00} % ({summary.Succeeded} ok, {summary.Requests - summary.Succeeded} failed)");
        Line(text, $"Latency         p50 {summary.LatencyP50Ms:0.00} ms, p99 {summary.LatencyP99Ms:0.00} ms");
        Line(text, $"mTLS            {summary.CertifiedSidecars}/{summary.Pods} pods' sidecars hold a mesh certificate ({MtlsState(summary)})");
        text.Append('\n');

        var rows = summary.Services
            .SelectMany(s => s.Replicas.Select((r, i) => (Service: i == 0 ? s.Service : string.Empty, r.Pod, r.Version, r.Answers)))
            .ToList();
        var serviceWidth = Math.Max("SERVICE".Length, rows.Select(r => r.Service.Length).DefaultIfEmpty(0).Max());
        var podWidth = Math.Max("REPLICA".Length, rows.Select(r => r.Pod.Length).DefaultIfEmpty(0).Max());
        Line(text, $"{"SERVICE".PadRight(serviceWidth)}  {"REPLICA".PadRight(podWidth)}  VERSION  ANSWERS");
        foreach (var row in rows)
        {
            Line(text, $"{row.Service.PadRight(serviceWidth)}  {row.Pod.PadRight(podWidth)}  {row.Version,-7}  {row.Answers,7}");
        }

        foreach (var silent in summary.SilentServices)
        {
            Line(text, $"{silent.PadRight(serviceWidth)}  {"(never answered)".PadRight(podWidth)}  {"-",-7}  {0,7}");
        }

        var split = summary.Services.Where(s => s.Versions.Length > 1).ToList();
        if (split.Count > 0)
        {
            text.Append('\n');
            foreach (var service in split)
            {
                var shares = string.Join(", ", service.Versions.Select(v => string.Create(CultureInfo.InvariantCulture, $"{v.Version} {v.Share * 100:0.0} %")));
                Line(text, $"{"Version split".PadRight(16)}{service.Service}: {shares}");
            }
        }

        if (!summary.Failures.IsEmpty)
        {
            text.Append('\n');
            text.Append("FAILURES\n");
            foreach (var failure in summary.Failures)
            {
                Line(text, $"{failure.Count,7}  {failure.Reason}");
            }
        }

        text.Append('\n');
        text.Append(summary.Passed
            ? "PASS: every service answered, success rate at least 99 %"
            : "FAIL: " + FailureReason(summary)).Append('\n');
        return text.ToString();
    }

    public static string ToJson(DemoSummary summary) =>
        JsonSerializer.Serialize(summary, DemoJsonContext.Default.DemoSummary);

    private static string FailureReason(DemoSummary summary) =>
        summary.Requests == 0 ? "no request completed"
        : !summary.SilentServices.IsEmpty ? $"never answered: {string.Join(", ", summary.SilentServices)}"
        : $"success rate {summary.SuccessRate * 100:0.00} % is below 99 %";

    private static string MtlsState(DemoSummary summary) =>
        summary.CertifiedSidecars == 0 ? "off" : summary.CertifiedSidecars >= summary.Pods ? "on" : "partly on";

    private static void Line(StringBuilder text, FormattableString line) =>
        text.Append(line.ToString(CultureInfo.InvariantCulture)).Append('\n');
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(DemoSummary))]
[JsonSerializable(typeof(FrontendReply))]
internal sealed partial class DemoJsonContext : JsonSerializerContext;
