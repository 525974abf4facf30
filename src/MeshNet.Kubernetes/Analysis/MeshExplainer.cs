using System.Collections.Immutable;
using System.Globalization;
using MeshNet.Model;
using MeshNet.Model.Traffic;

namespace MeshNet.Kubernetes.Analysis;

/// <summary>
/// `meshctl explain`: which Service, route, policy, endpoints and authorization rule decide a request's outcome, over
/// the same model analyze reads (the control plane passes the policies it accepted).
/// </summary>
public static partial class MeshExplainer
{
    public static Explanation Explain(AnalysisInput input, ExplainRequest request, string clusterDomain = "cluster.local")
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(request);
        return request.Url is { } url
            ? ByUrl(input, request, url, clusterDomain)
            : ByError(input, request.Error ?? string.Empty, request.Service ?? string.Empty, clusterDomain);
    }

    private static Explanation ByError(AnalysisInput input, string error, string host, string clusterDomain)
    {
        var steps = ImmutableArray.CreateBuilder<ExplanationStep>();
        var service = ResolveHost(input, host, "default", clusterDomain);
        if (service is null)
        {
            steps.Add(new ExplanationStep("service", null, $"no Service answers to host '{host}'"));
            return new Explanation($"404 no-route: no Service named {host}", steps.ToImmutable());
        }

        steps.Add(new ExplanationStep("service", service.Key.ToString(), $"host '{host}' is Service {service.Namespace}/{service.Name}"));
        var policy = PolicyFor(input, service, port: null);
        var summary = error switch
        {
            "overloaded" => Overloaded(service, policy),
            "upstream-timeout" => Timeout(service, policy),
            "retry-budget-exhausted" => Budget(service, policy),
            "no-healthy-endpoints" => EndpointSummary(input, service, subset: null, steps) ?? $"503 no-healthy-endpoints: Service {service.Namespace}/{service.Name} has ready endpoints now; the error was transient",
            "authz-denied" => ExplainAuthorization.Describe(input, service, caller: null, port: null, "GET", "/", steps),
            "no-route" => $"404 no-route: Service {service.Namespace}/{service.Name} exists; the caller used a port it does not declare ({Ports(service)})",
            "upstream-connect-failure" => $"503 upstream-connect-failure: no connection could be made to an endpoint of Service {service.Namespace}/{service.Name} (the app is not listening, or the pod is gone)",
            "upstream-failure" => $"502 upstream-failure: an endpoint of Service {service.Namespace}/{service.Name} closed the connection or sent a malformed response",
            "bad-path" => "400 bad-path: the receiving sidecar refused an ambiguous path (encoded slash, dot segment or fragment) before authorization",
            "bad-target-port" => "400 bad-target-port: the request named a target port the receiving sidecar will not deliver to (one of its own listeners, or malformed)",
            "no-app-port" => $"503 no-app-port: the receiving sidecar of Service {service.Namespace}/{service.Name} knows no application port to deliver to (--app-port or a declared port)",
            _ => $"{error}: not produced by a config object MeshNet knows; see the sidecar's access log",
        };
        if (policy is not null)
        {
            steps.Add(new ExplanationStep("policy", policy.Key.ToString(), DescribePolicy(policy)));
        }

        return new Explanation(summary, steps.ToImmutable());
    }

    private static Explanation ByUrl(AnalysisInput input, ExplainRequest request, string url, string clusterDomain)
    {
        var steps = ImmutableArray.CreateBuilder<ExplanationStep>();
        var sourceNs = request.Source?.Split('/', 2) is [var ns, _] ? ns : "default";
        var caller = request.Source is null
            ? null
            : input.Workloads.FirstOrDefault(w => string.Equals($"{w.Namespace}/{w.Name}", request.Source, StringComparison.Ordinal));
        steps.Add(new ExplanationStep("source", caller?.Key.ToString(), caller is null
            ? $"workload {request.Source} is not known: its service account is assumed to be {sourceNs}/default"
            : $"workload {caller.Namespace}/{caller.Name}, service account {caller.Namespace}/{caller.ServiceAccount}"));
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return new Explanation($"400: '{url}' is not an absolute URL", steps.ToImmutable());
        }

        var service = ResolveHost(input, uri.Host, sourceNs, clusterDomain);
        if (service is null)
        {
            steps.Add(new ExplanationStep("service", null, $"no Service answers to host '{uri.Host}' from namespace {sourceNs}"));
            return new Explanation($"404 no-route: no Service for host {uri.Host}", steps.ToImmutable());
        }

        steps.Add(new ExplanationStep("service", service.Key.ToString(), $"host '{uri.Host}' is Service {service.Namespace}/{service.Name}"));
        var port = service.Ports.FirstOrDefault(p => p.Port == uri.Port);
        if (port is null)
        {
            steps.Add(new ExplanationStep("port", service.Key.ToString(), string.Create(CultureInfo.InvariantCulture, $"port {uri.Port} is not one of {Ports(service)}")));
            return new Explanation(string.Create(CultureInfo.InvariantCulture, $"404 no-route: Service {service.Namespace}/{service.Name} has no port {uri.Port}"), steps.ToImmutable());
        }

        steps.Add(new ExplanationStep("port", service.Key.ToString(), string.Create(CultureInfo.InvariantCulture, $"port {port.Port} -> targetPort {port.TargetPort}")));
        var backend = ExplainRouting.Choose(input, service, port.Port, uri.AbsolutePath, request.Method.ToUpperInvariant(), steps);
        if (backend is { Weight: 0 })
        {
            return new Explanation("503 no-route: the matching rule's backends all weigh 0", steps.ToImmutable());
        }

        var policy = PolicyFor(input, service, port.Port);
        steps.Add(policy is null
            ? new ExplanationStep("policy", null, "no TrafficPolicy: MeshNet's defaults (round robin, no timeout, retries on connect-failure and reset)")
            : new ExplanationStep("policy", policy.Key.ToString(), DescribePolicy(policy)));
        if (EndpointSummary(input, service, backend?.Subset, steps) is { } unavailable)
        {
            return new Explanation(unavailable, steps.ToImmutable());
        }

        var targetPort = port.TargetPort.IsNamed ? (int?)null : port.TargetPort.Number;
        var verdict = ExplainAuthorization.Describe(input, service, caller, targetPort, request.Method.ToUpperInvariant(), uri.AbsolutePath, steps);
        return new Explanation(verdict, steps.ToImmutable());
    }

    private static string Overloaded(MeshService service, TrafficPolicy? policy) =>
        policy?.CircuitBreaker is { } breaker && Limits(breaker) is { Length: > 0 } limits
            ? $"503 overloaded: {policy.Key} {limits}"
            : $"503 overloaded: no TrafficPolicy sets a circuit breaker for Service {service.Namespace}/{service.Name} (the limits in force are unlimited); the upstream sidecar refused it";

    private static string Timeout(MeshService service, TrafficPolicy? policy) =>
        policy?.Timeouts is { } timeouts && (timeouts.Request ?? timeouts.PerTry) is not null
            ? $"504 upstream-timeout: {policy.Key} {string.Join(" ", Set(("timeouts.request", timeouts.Request), ("timeouts.perTry", timeouts.PerTry)))}"
            : $"504 upstream-timeout: no TrafficPolicy sets a request timeout for Service {service.Namespace}/{service.Name}; the connect timeout or the app timed out";

    private static string Budget(MeshService service, TrafficPolicy? policy) =>
        policy?.Retries?.Budget is { } budget
            ? string.Create(CultureInfo.InvariantCulture, $"retry-budget-exhausted: {policy.Key} retries.budget.percent={budget.Percent} retries.budget.minPerSecond={budget.MinPerSecond}")
            : string.Create(CultureInfo.InvariantCulture, $"retry-budget-exhausted: Service {service.Namespace}/{service.Name} uses the default retry budget ({TrafficDefaults()})");

    private static string TrafficDefaults() => string.Create(
        CultureInfo.InvariantCulture,
        $"percent={Conversion.TrafficDefaults.RetryBudgetPercent}, minPerSecond={Conversion.TrafficDefaults.RetryBudgetMinPerSecond}");

    internal static string Limits(CircuitBreakerSettings breaker) => string.Join(" ", Set(
        ("circuitBreaker.maxRequests", breaker.MaxRequests),
        ("circuitBreaker.maxPendingRequests", breaker.MaxPendingRequests),
        ("circuitBreaker.maxConnections", breaker.MaxConnections),
        ("circuitBreaker.maxRetries", breaker.MaxRetries)));

    private static IEnumerable<string> Set<T>(params (string Name, T? Value)[] settings) =>
        settings.Where(s => s.Value is not null).Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Name}={Format(s.Value!)}"));

    private static string Format(object value) => value switch
    {
        TimeSpan span => span.TotalMilliseconds % 1000 == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds}s")
            : string.Create(CultureInfo.InvariantCulture, $"{span.TotalMilliseconds}ms"),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    private static string DescribePolicy(TrafficPolicy policy)
    {
        var parts = new List<string>();
        if (policy.LoadBalancer is { } lb)
        {
            parts.Add($"loadBalancer.type={lb.Type}");
        }

        if (policy.Timeouts is { } t)
        {
            parts.AddRange(Set(("timeouts.request", t.Request), ("timeouts.perTry", t.PerTry), ("timeouts.connect", t.Connect)));
        }

        if (policy.Retries is { } r)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"retries.attempts={r.Attempts}"));
        }

        if (policy.CircuitBreaker is { } cb)
        {
            parts.Add(Limits(cb));
        }

        return parts.Count == 0 ? "applies, sets nothing" : string.Join(" ", parts.Where(p => p.Length > 0));
    }

    /// <summary>The port-specific policy wins over a whole-Service one, as the compiler merges them.</summary>
    private static TrafficPolicy? PolicyFor(AnalysisInput input, MeshService service, int? port)
    {
        var candidates = input.TrafficPolicies
            .Where(p => string.Equals(p.Namespace, service.Namespace, StringComparison.Ordinal)
                && string.Equals(p.Target.Name, service.Name, StringComparison.Ordinal)
                && (p.Target.Port is null || port is null || p.Target.Port == port))
            .OrderBy(p => p.Target.Port is null ? 1 : 0)
            .ThenBy(p => p.Name, StringComparer.Ordinal);
        return candidates.FirstOrDefault();
    }

    private static string Ports(MeshService service) =>
        string.Join(", ", service.Ports.Select(p => p.Port.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Null when a ready endpoint exists; else the 503 summary, with the not-ready endpoints as steps.</summary>
    private static string? EndpointSummary(
        AnalysisInput input, MeshService service, ImmutableSortedDictionary<string, string>? subset, ImmutableArray<ExplanationStep>.Builder steps)
    {
        if (service.Selector is not { Count: > 0 } selector)
        {
            var entries = input.EndpointSets
                .Where(e => string.Equals(e.Namespace, service.Namespace, StringComparison.Ordinal) && string.Equals(e.ServiceName, service.Name, StringComparison.Ordinal))
                .SelectMany(e => e.Endpoints).ToList();
            steps.Add(new ExplanationStep("endpoints", null, string.Create(CultureInfo.InvariantCulture, $"{entries.Count(e => e.Ready)}/{entries.Count} EndpointSlice endpoints ready")));
            return entries.Any(e => e.Ready) || service.Type == ServiceType.ExternalName
                ? null
                : $"503 no-healthy-endpoints: Service {service.Namespace}/{service.Name} has no selector and no ready EndpointSlice endpoint";
        }

        var selected = input.Workloads
            .Where(w => string.Equals(w.Namespace, service.Namespace, StringComparison.Ordinal) && LabelSelector.Matches(selector, w.Labels)
                && (subset is null || LabelSelector.Matches(subset, w.Labels)))
            .OrderBy(w => w.Name, StringComparer.Ordinal)
            .ToList();
        var scope = subset is null ? "selected" : $"selected with subset {LabelDistance.Format(subset)}";
        steps.Add(new ExplanationStep("endpoints", service.Key.ToString(), string.Create(CultureInfo.InvariantCulture,
            $"{selected.Count(w => w.Ready)}/{selected.Count} {scope} workloads ready{(selected.Any(w => !w.Ready) ? $" (not ready: {string.Join(", ", selected.Where(w => !w.Ready).Select(w => w.Name))})" : string.Empty)}")));
        if (selected.Any(w => w.Ready))
        {
            return null;
        }

        return selected.Count == 0
            ? $"503 no-healthy-endpoints: {service.Key} selector {LabelDistance.Format(selector)} matches no workload{(subset is null ? string.Empty : $" of subset {LabelDistance.Format(subset)}")}"
            : $"503 no-healthy-endpoints: all {selected.Count} workload(s) of {service.Key} are not ready (readiness probe)";
    }

    /// <summary>name, name.ns, name.ns.svc, name.ns.svc.DOMAIN; a short name is looked up in the caller's namespace.</summary>
    private static MeshService? ResolveHost(AnalysisInput input, string host, string callerNamespace, string clusterDomain)
    {
        var name = host.TrimEnd('.');
        var suffix = "." + clusterDomain;
        if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
        {
            name = name[..^suffix.Length];
        }

        if (name.EndsWith(".svc", StringComparison.OrdinalIgnoreCase))
        {
            name = name[..^4];
        }

        var parts = name.Split('.');
        var (serviceName, ns) = parts switch
        {
            [var only] => (only, callerNamespace),
            [var svc, var space] => (svc, space),
            _ => (string.Empty, string.Empty),
        };
        return input.Services.FirstOrDefault(s =>
            string.Equals(s.Name, serviceName, StringComparison.OrdinalIgnoreCase) && string.Equals(s.Namespace, ns, StringComparison.OrdinalIgnoreCase));
    }
}
