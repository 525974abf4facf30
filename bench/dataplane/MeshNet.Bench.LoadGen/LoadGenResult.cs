using System.Text.Json.Serialization;

namespace MeshNet.Bench.LoadGen;

/// <summary>What one open-loop run measured; latencies in microseconds from the intended send time.</summary>
internal sealed record LoadGenResult(
    double TargetRps,
    double DurationS,
    long Scheduled,
    long Completed,
    long Non2xx,
    long Errors,
    long Unfinished,
    double AchievedRps,
    double P50Us,
    double P90Us,
    double P99Us,
    double P999Us,
    double MaxUs,
    double MeanUs,
    int ConnectionsUsed);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(LoadGenResult))]
internal sealed partial class LoadGenJson : JsonSerializerContext;
