using System.Net;
using System.Text.Json;

namespace MeshNet.EndToEnd.Tests.Traffic;

/// <summary>
/// One cluster's counters from a sidecar's admin <c>GET /stats</c> (<c>{"clusters":[{"name", counters...}]}</c>),
/// read by name so a scenario can check that what it saw on the wire was also counted.
/// </summary>
internal sealed class SidecarStats(string cluster, JsonElement counters)
{
    /// <summary>The cluster of the whole "backend" Service on port 80.</summary>
    public const string BackendCluster = "outbound|80||backend.e2e.svc.cluster.local";

    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };

    public long this[string counter] =>
        counters.TryGetProperty(counter, out var value) && value.ValueKind == JsonValueKind.Number
            ? value.GetInt64()
            : throw new KeyNotFoundException($"/stats of {cluster} has no counter '{counter}': {counters.GetRawText()}");

    public static async Task<SidecarStats> ReadAsync(IPEndPoint admin, string cluster = BackendCluster)
    {
        using var stats = JsonDocument.Parse(await Http.GetStringAsync($"http://{admin}/stats"));
        foreach (var entry in stats.RootElement.GetProperty("clusters").EnumerateArray())
        {
            if (entry.GetProperty("name").GetString() == cluster)
            {
                return new SidecarStats(cluster, entry.Clone());
            }
        }

        throw new KeyNotFoundException($"/stats names no cluster {cluster}: {stats.RootElement.GetRawText()}");
    }

    public override string ToString() => counters.GetRawText();
}
