using MeshNet.EndToEnd.Tests.Harness;

namespace MeshNet.EndToEnd.Tests;

/// <summary>The Services and labels the tests share: a "backend" Service over sidecar-registered test backends.</summary>
internal static class MeshScenario
{
    public const string BackendService = "backend";
    public const string BackendUrl = "http://backend.e2e/";

    public static readonly IReadOnlyDictionary<string, string> BackendLabels =
        new Dictionary<string, string> { ["app"] = "backend" };

    public static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Service "backend": selector app=backend, port 80 -> targetPort "http" (the backend's port 8080).</summary>
    public static (string File, string Yaml) BackendServiceManifest() =>
        ("backend-service.yaml", Manifests.Service(
            MeshTestBed.Namespace,
            BackendService,
            BackendLabels,
            new ServicePortSpec("http", 80, MeshTestBed.HttpPortName)));

    /// <summary>
    /// A TrafficPolicy that balances <paramref name="service"/> round-robin: for tests about which endpoints receive
    /// traffic, where the default (PeakEwma, which favours the fastest endpoint) would make "every endpoint answered"
    /// depend on timing.
    /// </summary>
    public static (string File, string Yaml) RoundRobinPolicy(string service) =>
        ($"{service}-round-robin.yaml", $"""
            apiVersion: meshnet.io/v1alpha1
            kind: TrafficPolicy
            metadata:
              name: {service}-round-robin
              namespace: {MeshTestBed.Namespace}
            spec:
              targetRef: {"{"}kind: Service, name: {service}{"}"}
              loadBalancer: {"{"}type: RoundRobin{"}"}
            """);

    /// <summary>Starts the named meshed backends and a client pod, and waits until the client routes to all of them.</summary>
    public static async Task<(MeshPod Client, MeshPod[] Backends)> StartBackendsAndClientAsync(MeshTestBed bed, params string[] names)
    {
        var backendsStarting = bed.StartMeshedBackendsAsync(BackendLabels, names);
        var client = await bed.StartClientAsync();
        var backends = await backendsStarting;
        var addresses = backends.Select(b => b.Address).ToArray();
        await bed.WaitForReadyEndpointsAsync(BackendService, SettleTimeout, addresses);
        await bed.WaitForSidecarConfigAsync(client.RequiredSidecar, addresses);
        return (client, backends);
    }
}
