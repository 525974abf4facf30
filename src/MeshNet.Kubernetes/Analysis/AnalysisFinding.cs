using System.Text.Json.Serialization;

namespace MeshNet.Kubernetes.Analysis;

/// <summary>Lower case on the wire, as /debug/analysis and `meshctl analyze -o json` print it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FindingSeverity>))]
public enum FindingSeverity
{
    [JsonStringEnumMemberName("error")]
    Error,
    [JsonStringEnumMemberName("warning")]
    Warning,
    [JsonStringEnumMemberName("info")]
    Info,
}

/// <summary>One misconfiguration found by <see cref="MeshAnalyzer"/>.</summary>
/// <param name="Code">A stable MN1xxx code (see <see cref="FindingCodes"/>), so CI can allow-list by code.</param>
/// <param name="Resource">"Kind ns/name", as /debug/errors names resources.</param>
/// <param name="Field">The JSON path of the field at fault, or null when the resource as a whole is.</param>
/// <param name="Fix">What to change, in one sentence.</param>
public sealed record AnalysisFinding(
    string Code,
    FindingSeverity Severity,
    string Resource,
    string? Field,
    string Message,
    string Fix)
{
    public override string ToString()
    {
        var field = string.IsNullOrEmpty(Field) ? string.Empty : $" {Field}";
        return $"{Code} {Severity.ToString().ToUpperInvariant()} {Resource}{field}: {Message}";
    }
}

/// <summary>Every code analyze emits; docs/analyze.md describes each one.</summary>
public static class FindingCodes
{
    public const string ManifestError = "MN1000";
    public const string SelectorMatchesNoPod = "MN1101";
    public const string NamedTargetPortUndeclared = "MN1102";
    public const string NodePortCollision = "MN1103";
    public const string NodePortOutOfRange = "MN1104";
    public const string DuplicateClusterIP = "MN1105";
    public const string ExposedBeyondMesh = "MN1106";
    public const string NoReadyEndpoints = "MN1107";
    public const string NoEndpointSlice = "MN1108";
    public const string PolicyTargetMissing = "MN1201";
    public const string RouteTargetMissing = "MN1202";
    public const string RouteBackendMissing = "MN1203";
    public const string RouteWeightsZero = "MN1204";
    public const string SubsetMatchesNoEndpoint = "MN1205";
    public const string AuthorizationTargetMissing = "MN1301";
    public const string ServiceUnreachable = "MN1302";
}
