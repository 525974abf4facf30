using System.Globalization;
using MeshNet.ControlPlane.Discovery;
using MeshNet.Kubernetes.Analysis;
using MeshNet.Model;
using Microsoft.AspNetCore.Http;

namespace MeshNet.ControlPlane.Admin;

/// <summary>
/// GET /debug/explain?id=X: finds the failed request whose x-request-id or trace id is X in the connected sidecars'
/// recent failures and explains it. 404 when no sidecar remembers it, naming the sidecars that did not answer.
/// </summary>
internal static class ExplainByIdEndpoint
{
    /// <summary>Request ids as the sidecars accept them: printable ASCII without spaces, 1 to 128 characters.</summary>
    private const int MaxIdLength = 128;

    public static async Task<IResult> ExplainAsync(string id, AnalysisInput input, string clusterDomain, ProxyRegistry registry, IEnumerable<Workload> workloads, TimeProvider time, CancellationToken cancellationToken)
    {
        if (id.Length > MaxIdLength || id.Any(c => c is < '!' or > '~'))
        {
            return Results.BadRequest(new { error = $"an id is 1 to {MaxIdLength} printable ASCII characters without spaces (an x-request-id or a trace id)" });
        }

        var sidecars = ProxyDebugView.List(registry.List(), workloads, time.GetUtcNow())
            .Select(p => (MeshNames.NamespacedName(p.Namespace, p.Name), p.AdminAddress))
            .ToList();
        var search = await SidecarFailuresClient.FindAsync(sidecars, id, cancellationToken).ConfigureAwait(false);
        if (search.Records.Count == 0)
        {
            return Results.Json(new { error = NotFound(id, search) }, statusCode: StatusCodes.Status404NotFound);
        }

        return Results.Ok(MeshExplainer.ExplainObserved(input, search.Records, search.Unanswered, clusterDomain));
    }

    private static string NotFound(string id, FailureSearch search)
    {
        var kept = search.Capacity > 0 ? search.Capacity.ToString(CultureInfo.InvariantCulture) : "1000";
        var text = string.Create(
            CultureInfo.InvariantCulture,
            $"no sidecar remembers a failed request with id '{id}' ({search.Asked - search.Unanswered.Count} of {search.Asked} sidecars answered); each sidecar keeps only its last {kept} failures, and only failures (5xx, no response, or x-meshnet-error)");
        return search.Unanswered.Count == 0
            ? text
            : $"{text}; did not answer: {string.Join(", ", search.Unanswered.Select(u => $"{u.Sidecar} ({u.Reason})"))}";
    }
}
