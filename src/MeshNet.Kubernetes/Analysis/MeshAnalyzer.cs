using System.Collections.Immutable;
using MeshNet.Model;

namespace MeshNet.Kubernetes.Analysis;

/// <summary>
/// `meshctl analyze`: pure checks over the mesh model. The same function runs offline over a manifest directory and
/// in the control plane over its current state, so both report the same codes for the same mistakes.
/// </summary>
public static class MeshAnalyzer
{
    public static ImmutableArray<AnalysisFinding> Analyze(AnalysisInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var findings = new List<AnalysisFinding>();
        findings.AddRange(ServiceAnalyzer.Analyze(input));
        findings.AddRange(TrafficAnalyzer.Analyze(input));
        findings.AddRange(AuthorizationAnalyzer.Analyze(input));

        // The control plane reports some of the same problems as errors of its own (a policy's missing target): the
        // analyzer's finding carries the fix, so the error of a resource it already explains is left out.
        var explained = findings.Select(f => f.Resource).ToHashSet(StringComparer.Ordinal);
        findings.AddRange(input.Errors.Select(FromError).Where(f => !explained.Contains(f.Resource)));
        return [.. findings
            .Distinct()
            .OrderBy(f => f.Severity)
            .ThenBy(f => f.Code, StringComparer.Ordinal)
            .ThenBy(f => f.Resource, StringComparer.Ordinal)
            .ThenBy(f => f.Field, StringComparer.Ordinal)
            .ThenBy(f => f.Message, StringComparer.Ordinal)];
    }

    public static bool HasErrors(IEnumerable<AnalysisFinding> findings) =>
        findings.Any(f => f.Severity == FindingSeverity.Error);

    private static AnalysisFinding FromError(ResourceError error)
    {
        var where = error.DocumentIndex is { } index ? $"{error.Origin} document {index}" : error.Origin;
        return new AnalysisFinding(
            FindingCodes.ManifestError,
            FindingSeverity.Error,
            error.Resource?.ToString() ?? where,
            error.Field,
            $"{error.Message} ({where})",
            "Correct the field; the resource is ignored until it is valid.");
    }
}
