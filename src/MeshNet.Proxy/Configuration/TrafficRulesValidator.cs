using System.Globalization;
using MeshNet.Protocol.V1;
using Route = MeshNet.Protocol.V1.Route;

namespace MeshNet.Proxy.Configuration;

/// <summary>
/// The traffic-policy part of snapshot validation: route matches (paths, headers, regexes), weights, and cluster
/// policies the sidecar cannot act on (a ring without a key, a negative or malformed duration).
/// </summary>
internal static class TrafficRulesValidator
{
    private const uint MaxPercent = 100;

    public static string? ValidateRoute(Route route, VirtualHost virtualHost)
    {
        var where = Format("route \"{0}\" of virtual host \"{1}\"", route.Name, virtualHost.Name);
        if (route.Match is { } first)
        {
            foreach (var match in route.MoreMatches.Prepend(first))
            {
                if (ValidateMatch(match, where) is { } error)
                {
                    return error;
                }
            }
        }

        return route.Clusters.Count > 0 && route.Clusters.All(static c => c.Weight == 0)
            ? where + ": cluster weights add up to 0"
            : null;
    }

    public static string? ValidatePolicy(Cluster cluster)
    {
        var where = cluster.Policy.Length == 0
            ? Format("cluster \"{0}\"", cluster.Name)
            : Format("cluster \"{0}\" (policy \"{1}\")", cluster.Name, cluster.Policy);

        if (cluster.LoadBalancer is { Type: LoadBalancer.Types.Type.RingHash } balancer && !HasKey(balancer.HashOn))
        {
            return where + ": load_balancer RING_HASH has no hash_on key (header, source_ip or cookie)";
        }

        var durations = new (string Field, Google.Protobuf.WellKnownTypes.Duration? Value)[]
        {
            ("timeouts.request", cluster.Timeouts?.Request),
            ("timeouts.per_try", cluster.Timeouts?.PerTry),
            ("timeouts.connect", cluster.Timeouts?.Connect),
            ("timeouts.idle", cluster.Timeouts?.Idle),
            ("retries.backoff_base", cluster.Retries?.BackoffBase),
            ("retries.backoff_max", cluster.Retries?.BackoffMax),
            ("outlier_detection.interval", cluster.OutlierDetection?.Interval),
            ("outlier_detection.base_ejection_time", cluster.OutlierDetection?.BaseEjectionTime),
            ("session_affinity.timeout", cluster.SessionAffinity?.Timeout),
        };
        foreach (var (field, value) in durations)
        {
            if (DurationRules.Problem(value) is { } problem)
            {
                return Format("{0}: {1} {2}", where, field, problem);
            }
        }

        if (cluster.OutlierDetection is { MaxEjectionPercent: > MaxPercent } outlier)
        {
            return Format("{0}: outlier_detection.max_ejection_percent {1} is over 100", where, outlier.MaxEjectionPercent);
        }

        return null;
    }

    private static bool HasKey(HashOn? hashOn) => hashOn?.KeyCase switch
    {
        HashOn.KeyOneofCase.Header => hashOn.Header.Length > 0,
        HashOn.KeyOneofCase.SourceIp => hashOn.SourceIp,
        HashOn.KeyOneofCase.Cookie => hashOn.Cookie.Length > 0,
        _ => false,
    };

    private static string? ValidateMatch(RouteMatch match, string where)
    {
        if (match.Path is { } path)
        {
            if (path.Type == PathMatch.Types.Type.Regex)
            {
                if (RouteRegex.Check(path.Value) is { } error)
                {
                    return Format("{0}: path regex \"{1}\" does not compile: {2}", where, path.Value, error);
                }
            }
            else if (!path.Value.StartsWith('/') && (path.Type == PathMatch.Types.Type.Exact || path.Value.Length > 0))
            {
                return Format("{0}: path \"{1}\" must start with '/'", where, path.Value);
            }
        }
        else if (match.PathPrefix.Length > 0 && !match.PathPrefix.StartsWith('/'))
        {
            return Format("{0}: path_prefix \"{1}\" must start with '/'", where, match.PathPrefix);
        }

        foreach (var header in match.Headers)
        {
            if (header.Name.Length == 0)
            {
                return where + ": a header match has an empty name";
            }

            if (header.Type == HeaderMatch.Types.Type.Regex && RouteRegex.Check(header.Value) is { } error)
            {
                return Format("{0}: header \"{1}\" regex \"{2}\" does not compile: {3}", where, header.Name, header.Value, error);
            }
        }

        return null;
    }

    private static string Format(string format, params object[] args) => string.Format(CultureInfo.InvariantCulture, format, args);
}
