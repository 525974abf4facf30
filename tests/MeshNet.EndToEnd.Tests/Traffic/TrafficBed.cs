using System.Globalization;
using MeshNet.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace MeshNet.EndToEnd.Tests.Traffic;

/// <summary>
/// A traffic-policy scenario's mesh: Service "backend" over meshed test backends (label <c>app=backend</c> plus
/// whatever each backend adds, e.g. <c>version=v1</c>), a client pod, and the policy manifests the test writes.
/// </summary>
internal sealed class TrafficBed : IAsyncDisposable
{
    private static readonly TimeSpan ApplyTimeout = TimeSpan.FromSeconds(20);

    private TrafficBed(MeshTestBed bed, MeshPod client, IReadOnlyList<MeshPod> backends)
    {
        Bed = bed;
        Client = client;
        Backends = backends;
    }

    public MeshTestBed Bed { get; }

    public MeshPod Client { get; }

    public IReadOnlyList<MeshPod> Backends { get; }

    public TestLog Log => Bed.Log;

    public MeshPod this[string name] => Backends.Single(b => b.Name == name);

    /// <summary>
    /// Starts the mesh with <paramref name="manifests"/> (the "backend" Service among them unless
    /// <paramref name="service"/> replaces it) and the named backends, each with its extra labels, and waits until
    /// the client's sidecar routes to all of them.
    /// </summary>
    public static async Task<TrafficBed> StartAsync(
        ITestOutputHelper output,
        IEnumerable<(string Name, IReadOnlyDictionary<string, string>? Labels)> backends,
        (string File, string Yaml)? service = null,
        params (string File, string Yaml)[] manifests)
    {
        var bed = await MeshTestBed.StartAsync(output, [service ?? MeshScenario.BackendServiceManifest(), .. manifests]);
        try
        {
            var starting = backends.Select(b => bed.StartMeshedBackendAsync(b.Name, Labels(b.Labels))).ToArray();
            var client = await bed.StartClientAsync();
            var pods = await Task.WhenAll(starting);
            var addresses = pods.Select(p => p.Address).ToArray();
            await bed.WaitForReadyEndpointsAsync(MeshScenario.BackendService, MeshScenario.SettleTimeout, addresses);
            await bed.WaitForSidecarConfigAsync(client.RequiredSidecar, addresses);
            return new TrafficBed(bed, client, pods);
        }
        catch
        {
            await bed.DisposeAsync();
            throw;
        }
    }

    /// <summary>Backends named <paramref name="names"/> with only the Service's label.</summary>
    public static Task<TrafficBed> StartAsync(ITestOutputHelper output, params string[] names) =>
        StartAsync(output, names.Select(n => (n, (IReadOnlyDictionary<string, string>?)null)));

    public static (string Name, IReadOnlyDictionary<string, string>? Labels) Versioned(string name, string version) =>
        (name, new Dictionary<string, string> { ["version"] = version });

    public TrafficLoad Load(System.Net.IPAddress? source = null, TimeSpan? timeout = null) =>
        new(Client.RequiredSidecar.Outbound, source, timeout);

    public BackendControlClient Control(string name) => this[name].App!.Control;

    /// <summary>
    /// Writes a manifest and waits until the client's sidecar has applied a config whose JSON contains every one
    /// of <paramref name="markers"/> (e.g. <c>"e2e/backend-rr"</c>, the policy named on the cluster).
    /// </summary>
    public async Task ApplyAsync(string file, string yaml, params string[] markers)
    {
        Bed.Manifests.Write(file, yaml);
        var (_, elapsed) = await Poll.UntilAsync(
            async () =>
            {
                var json = await Client.RequiredSidecar.AdminClient.ConfigJsonAsync();
                return new ConfigProgress(VersionOf(json), [.. markers.Where(m => !json.Contains(m, StringComparison.Ordinal))]);
            },
            progress => progress.Missing.Length == 0,
            ApplyTimeout,
            $"client sidecar applies {file}");
        Log.Note(string.Create(CultureInfo.InvariantCulture, $"{file} applied by the client sidecar after {elapsed.TotalMilliseconds:F0} ms"));
    }

    /// <summary>The client sidecar's applied routes (its virtual hosts, as JSON), for a failure to explain itself.</summary>
    public async Task<string> ClientRoutesAsync()
    {
        using var config = System.Text.Json.JsonDocument.Parse(await Client.RequiredSidecar.AdminClient.ConfigJsonAsync());
        return config.RootElement.TryGetProperty("virtualHosts", out var hosts) ? hosts.GetRawText() : "(no virtualHosts)";
    }

    public async Task<TimeSpan> WaitForClientConfigAsync(Func<string, bool> done, string what)
    {
        var (_, elapsed) = await Poll.UntilAsync(
            async () =>
            {
                var json = await Client.RequiredSidecar.AdminClient.ConfigJsonAsync();
                return new ConfigProgress(VersionOf(json), done(json) ? [] : [what]);
            },
            progress => progress.Missing.Length == 0,
            ApplyTimeout,
            what);
        return elapsed;
    }

    /// <summary>The client sidecar's counters for the "backend" cluster.</summary>
    public Task<SidecarStats> ClientStatsAsync() => SidecarStats.ReadAsync(Client.RequiredSidecar.Admin);

    /// <summary>Every backend's <c>/__stats</c>, by name.</summary>
    public async Task<IReadOnlyDictionary<string, BackendStats>> StatsAsync()
    {
        var stats = await Task.WhenAll(Backends.Select(b => b.App!.Control.StatsAsync()));
        return stats.ToDictionary(s => s.Name, StringComparer.Ordinal);
    }

    public async Task ClearStatsAsync() => await Task.WhenAll(Backends.Select(b => b.App!.Control.ClearStatsAsync()));

    public ValueTask DisposeAsync() => Bed.DisposeAsync();

    private static string VersionOf(string configJson) =>
        System.Text.Json.JsonDocument.Parse(configJson).RootElement.TryGetProperty("versionInfo", out var version) ? version.ToString() : "?";

    private static Dictionary<string, string> Labels(IReadOnlyDictionary<string, string>? extra)
    {
        var labels = new Dictionary<string, string>(MeshScenario.BackendLabels, StringComparer.Ordinal);
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            labels[key] = value;
        }

        return labels;
    }
}

/// <summary>What a wait for a config change last saw: the applied version and the markers it still lacks.</summary>
internal sealed record ConfigProgress(string Version, string[] Missing)
{
    public override string ToString() => $"applied version {Version}, still missing [{string.Join(", ", Missing)}]";
}
