using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshNet.TestBackend;

/// <summary>
/// How the backend misbehaves on application requests (never on <c>/healthz</c> or <c>/__*</c>, so a faulty
/// backend stays ready and reachable for the test): first an added delay, then hang, reset or a failure status.
/// </summary>
/// <param name="FailRate">Share of requests (0..1) answered with <paramref name="FailStatus"/>, spread evenly.</param>
/// <param name="DelayMs">Added before every answer (and before a failure), in milliseconds.</param>
/// <param name="Hang">Never answer: wait until the caller gives up.</param>
/// <param name="Reset">Abort the connection without an answer.</param>
internal sealed record FaultSettings(double FailRate = 0, int FailStatus = 503, int DelayMs = 0, bool Hang = false, bool Reset = false)
{
    public static FaultSettings None { get; } = new();

    /// <summary>Throws <see cref="FormatException"/> with the reason when a value is out of range.</summary>
    public FaultSettings Validated()
    {
        if (FailRate is < 0 or > 1 || double.IsNaN(FailRate))
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"failRate {FailRate} is not within 0..1"));
        }

        if (FailStatus is < 100 or > 599)
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"failStatus {FailStatus} is not an HTTP status"));
        }

        return DelayMs < 0
            ? throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"delayMs {DelayMs} is negative"))
            : this;
    }
}

/// <summary>What the backend served since it started (or since the counters were last cleared).</summary>
/// <param name="Requests">Application requests seen, whatever their outcome: the upstream attempts a mesh made.</param>
/// <param name="ByStatus">Answers by status code ("200", "503").</param>
internal sealed record BackendStats(string Name, long Requests, long Ok, long Failed, long Hung, long Reset, IReadOnlyDictionary<string, long> ByStatus);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(FaultSettings))]
[JsonSerializable(typeof(BackendStats))]
internal sealed partial class FaultJsonContext : JsonSerializerContext;
