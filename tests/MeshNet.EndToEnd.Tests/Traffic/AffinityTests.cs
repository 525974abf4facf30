using System.Net;
using MeshNet.EndToEnd.Tests.Harness;
using Xunit.Abstractions;
using static MeshNet.EndToEnd.Tests.Traffic.TrafficManifests;

namespace MeshNet.EndToEnd.Tests.Traffic;

/// <summary>Stickiness: the same key (client IP, header value) always reaches the same healthy endpoint.</summary>
public sealed class AffinityTests(ITestOutputHelper output)
{
    private static readonly string[] Names = ["backend-1", "backend-2", "backend-3"];

    [Fact]
    public async Task SessionAffinityClientIP_SendsEachClientAddressToOneEndpoint()
    {
        await using var mesh = await TrafficBed.StartAsync(
            output, Names.Select(n => (n, (IReadOnlyDictionary<string, string>?)null)), AffinityServiceManifest());
        await mesh.WaitForClientConfigAsync(json => json.Contains("\"sessionAffinity\"", StringComparison.Ordinal), "client config has session affinity");

        // Twelve client addresses, interleaved, so round robin alone would scatter each one over all backends.
        var sources = Enumerable.Range(1, 12).Select(i => IPAddress.Parse($"127.0.250.{i}")).ToArray();
        var loads = sources.Select(s => mesh.Load(s)).ToArray();
        try
        {
            var landed = sources.ToDictionary(s => s, _ => new List<Outcome>());
            for (var round = 0; round < 15; round++)
            {
                var outcomes = await Task.WhenAll(loads.Select(l => l.SendAsync()));
                for (var i = 0; i < sources.Length; i++)
                {
                    landed[sources[i]].Add(outcomes[i]);
                }
            }

            var pinned = landed.ToDictionary(l => l.Key, l => l.Value.Select(o => o.Backend ?? o.ToString()).Distinct().ToArray());
            mesh.Log.Note("by client address: " + string.Join("; ", pinned.Select(p => $"{p.Key} -> {string.Join("/", p.Value)}")));
            Assert.All(landed.Values.SelectMany(o => o), o => Assert.True(o.Ok, o.ToString()));
            Assert.All(pinned, p => Assert.True(p.Value.Length == 1, $"{p.Key} reached {string.Join(", ", p.Value)}"));
            Assert.True(pinned.Values.Select(p => p[0]).Distinct().Count() >= 2, "every client landed on one backend: affinity is not telling clients apart");
        }
        finally
        {
            foreach (var load in loads)
            {
                load.Dispose();
            }
        }
    }

    [Fact]
    public async Task RingHashOnHeader_SendsEachKeyToOneEndpoint()
    {
        await using var mesh = await TrafficBed.StartAsync(output, Names);
        await mesh.ApplyAsync(PolicyFile, Policy("backend-ringhash", "loadBalancer: {type: RingHash, hashOn: {header: x-user}}"), "\"e2e/backend-ringhash\"");
        using var load = mesh.Load();
        var users = Enumerable.Range(1, 40).Select(i => $"user-{i}").ToArray();

        var result = await load.RunAsync(400, concurrency: 4, i => new Dictionary<string, string> { ["x-user"] = users[i % users.Length] });

        var byUser = result.Outcomes.Select((o, i) => (User: users[i % users.Length], o))
            .GroupBy(x => x.User)
            .ToDictionary(g => g.Key, g => g.Select(x => x.o.Backend ?? x.o.ToString()).Distinct().ToArray());
        var spread = byUser.Values.Where(b => b.Length == 1).GroupBy(b => b[0]).ToDictionary(g => g.Key, g => g.Count());
        mesh.Log.Note($"{result}; users per backend: {string.Join(", ", spread)}");
        Assert.Empty(result.Failures);
        Assert.All(byUser, u => Assert.True(u.Value.Length == 1, $"{u.Key} reached {string.Join(", ", u.Value)}"));
        Assert.True(spread.Count >= 2, "every key hashed to one backend: the hash is not looking at the header");
    }
}
