using System.Text.Json;
using System.Text.Json.Serialization;
using MeshNet.Proxy.Configuration;
using MeshNet.Proxy.Telemetry.Failures;

namespace MeshNet.Proxy.Admin;

/// <summary>
/// GET /failures[?id=X]: {"capacity","recorded","failures":[...]} with the kept failed requests, newest first, or only
/// those whose x-request-id or trace id is X. The endpoint's workload is looked up in the applied config here, on
/// the admin path, so the request path records only the endpoint's address.
/// </summary>
internal static class FailuresJson
{
    public static string Format(FailureRing ring, ProxySnapshot config, string? id)
    {
        var entries = id is null ? ring.Newest() : ring.Find(id);
        var workloads = entries.Count == 0 ? [] : WorkloadsByEndpoint(config);
        var views = entries.Select(e => e with { EndpointWorkload = workloads.GetValueOrDefault(e.Endpoint) ?? string.Empty }).ToList();
        return JsonSerializer.Serialize(new FailuresView(ring.Capacity, ring.Recorded, views), FailuresJsonContext.Default.FailuresView);
    }

    private static Dictionary<string, string> WorkloadsByEndpoint(ProxySnapshot config)
    {
        var workloads = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var cluster in config.Clusters.Values)
        {
            foreach (var endpoint in cluster.Endpoints)
            {
                if (endpoint.Workload.Length > 0)
                {
                    workloads.TryAdd(YarpClusterTranslator.DestinationId(endpoint), endpoint.Workload);
                }
            }
        }

        return workloads;
    }
}

internal sealed record FailuresView(int Capacity, long Recorded, IReadOnlyList<FailedRequest> Failures);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(FailuresView))]
internal sealed partial class FailuresJsonContext : JsonSerializerContext;
