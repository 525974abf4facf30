using System.Text.Json.Nodes;
using MeshNet.Proxy.Resilience;

namespace MeshNet.Proxy.Admin;

/// <summary>The admin <c>GET /stats</c> body: every cluster's counters, gauges and ejected destinations, by name.</summary>
internal static class StatsJson
{
    public static string Format(ResilienceRegistry registry)
    {
        var clusters = new JsonArray();
        foreach (var cluster in registry.Clusters)
        {
            var stats = cluster.Stats;
            var (windowRequests, windowRetries) = cluster.Budget.Window();
            clusters.Add(new JsonObject
            {
                ["name"] = cluster.Name,
                ["requests"] = stats.Requests,
                ["attempts"] = stats.Attempts,
                ["retries"] = stats.Retries,
                ["retryBudgetExhausted"] = stats.RetryBudgetExhausted,
                ["retryOverflows"] = stats.RetryOverflows,
                ["overflows"] = stats.Overflows,
                ["requestTimeouts"] = stats.RequestTimeouts,
                ["perTryTimeouts"] = stats.PerTryTimeouts,
                ["noHealthyEndpoints"] = stats.NoHealthyEndpoints,
                ["upstreamFailures"] = stats.UpstreamFailures,
                ["ejections"] = stats.Ejections,
                ["activeRequests"] = cluster.Breaker.ActiveRequests,
                ["activeRetries"] = cluster.Breaker.ActiveRetries,
                ["budgetWindow"] = new JsonObject { ["requests"] = windowRequests, ["retries"] = windowRetries },
                ["ejected"] = new JsonArray(cluster.Outliers.Ejected().Select(id => (JsonNode?)JsonValue.Create(id)).ToArray()),
            });
        }

        return new JsonObject { ["clusters"] = clusters }.ToJsonString();
    }
}
