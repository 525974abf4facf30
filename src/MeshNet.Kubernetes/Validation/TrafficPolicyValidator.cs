using MeshNet.Kubernetes.Crds;
using MeshNet.Model.Traffic;

namespace MeshNet.Kubernetes.Validation;

/// <summary>
/// The rules of a TrafficPolicy that its CRD schema cannot state: durations, cross-field constraints and names.
/// Types, enums and ranges were checked against the schema before this runs; whether the target Service exists is
/// the control plane's question.
/// </summary>
internal static class TrafficPolicyValidator
{
    public static void Validate(V1alpha1TrafficPolicy policy, FieldErrors errors)
    {
        MetadataValidator.Validate(policy.Metadata, NameFormat.Dns1123Subdomain, namespaced: true, errors);
        if (policy.Spec is not { } spec)
        {
            errors.Add("spec", "required");
            return;
        }

        TrafficRules.ValidateTarget(spec.TargetRef, "spec.targetRef", errors);
        ValidateLoadBalancer(spec.LoadBalancer, errors);
        ValidateTimeouts(spec.Timeouts, errors);
        ValidateRetries(spec.Retries, errors);
        if (spec.OutlierDetection is { } outlier)
        {
            TrafficRules.Duration(outlier.Interval, "spec.outlierDetection.interval", errors);
            TrafficRules.Duration(outlier.BaseEjectionTime, "spec.outlierDetection.baseEjectionTime", errors);
        }
    }

    private static void ValidateLoadBalancer(LoadBalancerSpec? loadBalancer, FieldErrors errors)
    {
        if (loadBalancer is null)
        {
            return;
        }

        const string path = "spec.loadBalancer.hashOn";
        var ringHash = loadBalancer.Type == nameof(LoadBalancerType.RingHash);
        if (loadBalancer.HashOn is not { } hashOn)
        {
            if (ringHash)
            {
                errors.Add(path, "required for RingHash: set one of header, sourceIP or cookie");
            }

            return;
        }

        if (!ringHash)
        {
            errors.Add(path, "only allowed with type RingHash");
            return;
        }

        var keys = (hashOn.Header is null ? 0 : 1) + (hashOn.SourceIP == true ? 1 : 0) + (hashOn.Cookie is null ? 0 : 1);
        if (keys != 1)
        {
            errors.Add(path, "set exactly one of header, sourceIP or cookie");
        }

        if (hashOn.Header is { } header)
        {
            errors.Check($"{path}.header", TrafficRules.HeaderName(header));
        }

        if (hashOn.Cookie is { } cookie)
        {
            errors.Check($"{path}.cookie", TrafficRules.CookieName(cookie));
        }
    }

    private static void ValidateTimeouts(TimeoutsSpec? timeouts, FieldErrors errors)
    {
        if (timeouts is null)
        {
            return;
        }

        var request = TrafficRules.Duration(timeouts.Request, "spec.timeouts.request", errors);
        var perTry = TrafficRules.Duration(timeouts.PerTry, "spec.timeouts.perTry", errors);
        TrafficRules.Duration(timeouts.Connect, "spec.timeouts.connect", errors);
        TrafficRules.Duration(timeouts.Idle, "spec.timeouts.idle", errors);
        if (perTry > request)
        {
            errors.Add("spec.timeouts.perTry", $"must not exceed request ({timeouts.Request})");
        }
    }

    private static void ValidateRetries(RetriesSpec? retries, FieldErrors errors)
    {
        if (retries is null)
        {
            return;
        }

        if (retries.Attempts is null)
        {
            errors.Add("spec.retries.attempts", "required");
        }

        if (retries.On?.Contains(RetryConditions.RetriableStatusCodes) == true && retries.StatusCodes is not { Count: > 0 })
        {
            errors.Add("spec.retries.statusCodes", $"required when on includes {RetryConditions.RetriableStatusCodes}");
        }

        if (retries.Backoff is { } backoff)
        {
            var backoffBase = TrafficRules.Duration(backoff.Base, "spec.retries.backoff.base", errors);
            var max = TrafficRules.Duration(backoff.Max, "spec.retries.backoff.max", errors);
            if (backoffBase > max)
            {
                errors.Add("spec.retries.backoff.base", $"must not exceed max ({backoff.Max})");
            }
        }
    }
}
