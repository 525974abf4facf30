using System.Text.Json;
using System.Text.Json.Serialization;
using MeshNet.Kubernetes.Analysis;

namespace MeshNet.ControlPlane.Admin;

/// <summary>
/// Asks every connected sidecar's admin listener (GET /failures?id=X) at once, each under a short deadline, and
/// sorts the answers into the matching records and the sidecars that could not answer.
/// </summary>
internal static class SidecarFailuresClient
{
    /// <summary>A live admin listener answers in milliseconds; waiting longer only delays the answer for everyone.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(2);

    /// <param name="sidecars">Each connected sidecar as "namespace/name" with its admin address (null when not reported).</param>
    public static async Task<FailureSearch> FindAsync(IEnumerable<(string Sidecar, string? AdminAddress)> sidecars, string id, CancellationToken cancellationToken)
    {
        var asks = sidecars.Select(async s => (s.Sidecar, Reply: await SidecarAdminClient.ReadFailuresAsync(s.AdminAddress, id, Deadline, cancellationToken).ConfigureAwait(false)));
        var answers = await Task.WhenAll(asks).ConfigureAwait(false);
        return new FailureSearch(
            [.. answers.SelectMany(a => (a.Reply.Page?.Failures ?? []).Select(f => f.ToObserved(a.Sidecar)))],
            [.. answers.Where(a => a.Reply.Error is not null).Select(a => new SidecarSilence(a.Sidecar, a.Reply.Error!)).OrderBy(s => s.Sidecar, StringComparer.Ordinal)],
            answers.Length,
            answers.Select(a => a.Reply.Page?.Capacity ?? 0).DefaultIfEmpty(0).Max());
    }
}

/// <param name="Asked">Sidecars asked, answered or not.</param>
/// <param name="Capacity">How many failures a sidecar keeps (the largest any answer reported; 0 when none answered).</param>
internal sealed record FailureSearch(List<ObservedRequest> Records, List<SidecarSilence> Unanswered, int Asked, int Capacity);

/// <summary>A sidecar's GET /failures body (its FailuresView).</summary>
internal sealed record SidecarFailurePage(int Capacity, long Recorded, List<SidecarFailure>? Failures);

internal sealed record SidecarFailure(
    DateTimeOffset At,
    string? Direction,
    string? Method,
    string? Authority,
    string? Path,
    int Status,
    string? Error,
    string? Service,
    string? Endpoint,
    string? EndpointWorkload,
    int Attempts,
    string? TraceId,
    string? RequestId,
    string? Peer,
    string? Detail)
{
    public ObservedRequest ToObserved(string sidecar) => new(
        sidecar,
        Direction == MeshExplainer.Inbound ? MeshExplainer.Inbound : MeshExplainer.Outbound,
        At,
        Method ?? string.Empty,
        Authority ?? string.Empty,
        Path ?? string.Empty,
        Status,
        Error ?? string.Empty,
        Service ?? string.Empty,
        Endpoint ?? string.Empty,
        EndpointWorkload ?? string.Empty,
        Attempts,
        TraceId,
        RequestId,
        Peer ?? string.Empty,
        Detail ?? string.Empty);
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(SidecarFailurePage))]
internal sealed partial class SidecarFailuresJsonContext : JsonSerializerContext;
