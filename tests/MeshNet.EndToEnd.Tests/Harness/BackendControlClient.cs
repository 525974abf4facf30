using System.Net;
using System.Net.Http.Json;

namespace MeshNet.EndToEnd.Tests.Harness;

/// <summary>The test backend's own control endpoints, spoken to directly (not through the mesh).</summary>
internal sealed class BackendControlClient(IPEndPoint http) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false })
    {
        BaseAddress = new Uri($"http://{http}/"),
        Timeout = TimeSpan.FromSeconds(5),
    };

    /// <summary>Replaces the backend's fault settings; takes effect for the next request it receives.</summary>
    public async Task SetFaultsAsync(BackendFaults faults)
    {
        using var response = await _http.PutAsJsonAsync("__faults", faults, AdminJson.Options);
        response.EnsureSuccessStatusCode();
    }

    public Task ClearFaultsAsync() => SetFaultsAsync(new BackendFaults());

    public async Task<BackendStats> StatsAsync() =>
        await _http.GetFromJsonAsync<BackendStats>("__stats", AdminJson.Options)
        ?? throw new InvalidOperationException("empty /__stats");

    public async Task ClearStatsAsync()
    {
        using var response = await _http.DeleteAsync("__stats");
        response.EnsureSuccessStatusCode();
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>The body of <c>PUT /__faults</c>: see the test backend's FaultSettings.</summary>
internal sealed record BackendFaults(double FailRate = 0, int FailStatus = 503, int DelayMs = 0, bool Hang = false, bool Reset = false);

/// <summary><c>GET /__stats</c>: application requests the backend saw (upstream attempts) and their outcomes.</summary>
internal sealed record BackendStats(string Name, long Requests, long Ok, long Failed, long Hung, long Reset, Dictionary<string, long>? ByStatus)
{
    public long Status(int code) => ByStatus?.GetValueOrDefault(code.ToString(System.Globalization.CultureInfo.InvariantCulture)) ?? 0;
}
