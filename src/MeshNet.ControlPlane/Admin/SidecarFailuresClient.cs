using System.Globalization;
using System.Net;
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

    // Up to 1,000 records of under 1 KiB each, with room for JSON escaping.
    private const int MaxBytes = 4 * 1024 * 1024;

    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
        MaxResponseContentBufferSize = MaxBytes,
    };

    /// <param name="sidecars">Each connected sidecar as "namespace/name" with its admin address (null when not reported).</param>
    public static async Task<FailureSearch> FindAsync(IEnumerable<(string Sidecar, string? AdminAddress)> sidecars, string id, CancellationToken cancellationToken)
    {
        var asks = sidecars.Select(s => AskAsync(s.Sidecar, s.AdminAddress, id, cancellationToken)).ToList();
        var answers = await Task.WhenAll(asks).ConfigureAwait(false);
        return new FailureSearch(
            [.. answers.SelectMany(a => a.Records)],
            [.. answers.Where(a => a.Silence is not null).Select(a => a.Silence!).OrderBy(s => s.Sidecar, StringComparer.Ordinal)],
            answers.Length,
            answers.Select(a => a.Capacity).Where(c => c > 0).DefaultIfEmpty(0).Max());
    }

    private static async Task<Answer> AskAsync(string sidecar, string? adminAddress, string id, CancellationToken cancellationToken)
    {
        if (adminAddress is null || !IPEndPoint.TryParse(adminAddress, out var admin) || admin.Port == 0)
        {
            return Answer.Silent(sidecar, "no admin address reported (Node.admin_address)");
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Deadline);
        try
        {
            using var response = await Http.GetAsync(new Uri($"http://{admin}/failures?id={Uri.EscapeDataString(id)}"), deadline.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return Answer.Silent(sidecar, string.Create(CultureInfo.InvariantCulture, $"admin {admin} answered HTTP {(int)response.StatusCode}"));
            }

            var body = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                var page = await JsonSerializer.DeserializeAsync(body, SidecarFailuresJsonContext.Default.SidecarFailurePage, deadline.Token).ConfigureAwait(false);
                var records = (page?.Failures ?? []).Select(f => f.ToObserved(sidecar)).ToList();
                return new Answer(records, null, page?.Capacity ?? 0);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Answer.Silent(sidecar, string.Create(CultureInfo.InvariantCulture, $"admin {admin} did not answer within {Deadline.TotalSeconds:0.#}s"));
        }
        catch (Exception e) when (e is HttpRequestException or JsonException)
        {
            return Answer.Silent(sidecar, $"admin {admin}: {e.Message}");
        }
    }

    private sealed record Answer(List<ObservedRequest> Records, SidecarSilence? Silence, int Capacity)
    {
        public static Answer Silent(string sidecar, string reason) => new([], new SidecarSilence(sidecar, reason), 0);
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
