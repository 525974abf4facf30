using System.Collections.Immutable;
using System.Globalization;
using MeshNet.Model;

namespace MeshNet.Kubernetes.Analysis;

/// <summary>
/// `meshctl explain --id`: what the sidecars recorded about one failed request (a "request" step per sidecar,
/// the caller's outbound first), then the verdict of the by-error or by-URL explanation that the records allow.
/// </summary>
public static partial class MeshExplainer
{
    public const string Outbound = "outbound";
    public const string Inbound = "inbound";

    /// <param name="requests">The matching records, at least one, from any number of sidecars.</param>
    /// <param name="unanswered">Sidecars that were asked and did not answer; named in a "sidecars" step.</param>
    public static Explanation ExplainObserved(
        AnalysisInput input, IReadOnlyList<ObservedRequest> requests, IReadOnlyList<SidecarSilence> unanswered, string clusterDomain = "cluster.local")
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(unanswered);
        ArgumentOutOfRangeException.ThrowIfZero(requests.Count);
        var ordered = requests
            .OrderBy(r => r.Direction == Outbound ? 0 : 1)
            .ThenBy(r => r.At)
            .ThenBy(r => r.Sidecar, StringComparer.Ordinal)
            .ToList();
        var verdict = Verdict(input, ordered, clusterDomain);
        var steps = ImmutableArray.CreateBuilder<ExplanationStep>();
        steps.AddRange(ordered.Select(r => new ExplanationStep("request", null, Describe(r))));
        steps.AddRange(verdict.Steps);
        if (unanswered.Count > 0)
        {
            steps.Add(new ExplanationStep(
                "sidecars",
                null,
                $"did not answer, so their records (if any) are missing: {string.Join(", ", unanswered.Select(u => $"{u.Sidecar} ({u.Reason})"))}"));
        }

        return new Explanation(verdict.Summary, steps.ToImmutable()) { Requests = ordered, Unanswered = [.. unanswered] };
    }

    private static Explanation Verdict(AnalysisInput input, List<ObservedRequest> ordered, string clusterDomain)
    {
        var outbound = ordered.FirstOrDefault(r => r.Direction == Outbound);
        var inbound = ordered.FirstOrDefault(r => r.Direction == Inbound);

        // A mesh error the callee's sidecar raised travels back through the caller's unchanged: the inbound record
        // is where it was decided. Otherwise the caller's record is.
        var origin = inbound is { Error.Length: > 0 } && inbound.Error != "other" ? inbound : outbound ?? inbound!;
        var error = origin.Error;
        var byUrl = outbound is null
            ? null
            : new ExplainRequest(null, null, outbound.Sidecar, $"http://{outbound.Authority}{outbound.Path}", outbound.Method);

        if (error.Length == 0 || error == "other")
        {
            var context = byUrl is null ? null : ByUrl(input, byUrl, byUrl.Url!, clusterDomain);
            return new Explanation(AppFailure(origin), context?.Steps ?? []);
        }

        // Who called and what is known only from the caller's record, which also resolves short host names.
        if (byUrl is not null && error is "authz-denied" or "no-route")
        {
            return ByUrl(input, byUrl, byUrl.Url!, clusterDomain);
        }

        var host = ServiceHost(input, origin);
        if (host is null)
        {
            return new Explanation(
                $"{StatusText(origin)} at {origin.Sidecar}: {(origin.Detail.Length > 0 ? origin.Detail : "no Service selects this workload, so no policy can be named")}",
                []);
        }

        return ByError(input, error, host, clusterDomain);
    }

    /// <summary>The Service the record is about, as a host name ByError resolves: routed (outbound) or selecting the workload (inbound).</summary>
    private static string? ServiceHost(AnalysisInput input, ObservedRequest record)
    {
        if (record.Direction == Outbound)
        {
            if (record.Service.Split('/') is [var ns, var name])
            {
                return $"{name}.{ns}";
            }

            var authority = record.Authority;
            var colon = authority.LastIndexOf(':');
            return colon > 0 && !authority.EndsWith(']') ? authority[..colon] : authority;
        }

        var workload = input.Workloads.FirstOrDefault(w => string.Equals($"{w.Namespace}/{w.Name}", record.Sidecar, StringComparison.Ordinal));
        var service = workload is null
            ? null
            : input.Services
                .Where(s => string.Equals(s.Namespace, workload.Namespace, StringComparison.Ordinal)
                    && s.Selector is { Count: > 0 } selector && LabelSelector.Matches(selector, workload.Labels))
                .OrderBy(s => s.Name, StringComparer.Ordinal)
                .FirstOrDefault();
        return service is null ? null : $"{service.Name}.{service.Namespace}";
    }

    private static string AppFailure(ObservedRequest record)
    {
        if (record.Status == 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"no response: the client went away before an answer (at {record.Sidecar}); no config object decided it");
        }

        var from = record.EndpointWorkload.Length > 0 ? $" {record.EndpointWorkload}" : record.Endpoint.Length > 0 ? $" at {record.Endpoint}" : string.Empty;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{record.Status} from the application{from}: the mesh passed the app's own response through; no MeshNet config object produced it");
    }

    private static string Describe(ObservedRequest r)
    {
        var text = new System.Text.StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{r.Direction} at {r.Sidecar} {r.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)}: ");
        text.Append(CultureInfo.InvariantCulture, $"{r.Method} {r.Authority}{r.Path}");
        if (r.Direction == Inbound)
        {
            text.Append(" from ").Append(r.Peer.Length > 0 ? r.Peer : "a plaintext caller");
        }

        text.Append(" -> ").Append(StatusText(r));
        if (r.Direction == Outbound)
        {
            if (r.Service.Length > 0)
            {
                text.Append(" via Service ").Append(r.Service);
            }

            text.Append(r.Attempts switch
            {
                0 => ", no attempt sent",
                1 => ", 1 attempt",
                _ => string.Create(CultureInfo.InvariantCulture, $", {r.Attempts} attempts"),
            });
            if (r.Endpoint.Length > 0)
            {
                text.Append(", last to ").Append(r.Endpoint);
                if (r.EndpointWorkload.Length > 0)
                {
                    text.Append(" (").Append(r.EndpointWorkload).Append(')');
                }
            }
        }

        if (r.Detail.Length > 0)
        {
            text.Append("; ").Append(r.Detail);
        }

        return text.ToString();
    }

    private static string StatusText(ObservedRequest r) =>
        r.Status == 0 ? "no response (client gone)"
        : r.Error.Length > 0 ? string.Create(CultureInfo.InvariantCulture, $"{r.Status} {r.Error}")
        : r.Status.ToString(CultureInfo.InvariantCulture);
}
