using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using MeshNet.EndToEnd.Tests.Harness;
using MeshNet.EndToEnd.Tests.Rotation;
using Xunit.Abstractions;

namespace MeshNet.EndToEnd.Tests;

/// <summary>
/// Certificates rotating under constant load, with real processes and real TLS: routine renewal of one-minute leaves,
/// a trust-anchor rotation in three phases, and a control-plane outage across a renewal. Nothing may fail: no mesh
/// request, no fresh handshake, no peer refused by any sidecar.
/// </summary>
public sealed class RotationTests(ITestOutputHelper output)
{
    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task OneMinuteLeaves_RenewUnderThreeMinutesOfLoad_WithoutAFailure()
    {
        await using var mesh = await RotationMesh.StartAsync(output, "--cert-ttl", "1m");
        await mesh.WaitForMtlsAsync();
        using var ca = RotationCa.Load(Path.Combine(mesh.StateDirectory, "ca.crt"), Path.Combine(mesh.StateDirectory, "ca.key"));
        using var proberLeaf = RotationCa.IssueProberLeaf(ca);
        var issued = mesh.Sidecars.ToDictionary(s => s, _ => new HashSet<DateTimeOffset>());

        await using (var load = new RotationLoad(mesh, () => proberLeaf, () => [ca]))
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromMinutes(3))
            {
                foreach (var (sidecar, seen) in issued)
                {
                    if ((await SidecarCerts.GetAsync(sidecar)).NotBefore is { } notBefore)
                    {
                        seen.Add(notBefore);
                    }
                }

                await Task.Delay(TimeSpan.FromSeconds(2));
            }

            await load.StopAsync();
            mesh.Log.Note($"3 minutes of 1-minute leaves: {load}; leaves per sidecar: {string.Join(", ", issued.Values.Select(v => v.Count))}");
            Assert.Empty(load.Failures);
            Assert.True(load.MeshRequests > 100, load.ToString());
        }

        // The first leaf plus at least two renewals each.
        Assert.All(issued.Values, seen => Assert.True(seen.Count >= 3, $"{seen.Count} leaves seen"));
        await AssertNoPeerRefusedAsync(mesh);
    }

    [Fact]
    public async Task TrustAnchorRotation_InThreePhases_UnderLoad_FailsNothing_AndEndsOnTheNewRootOnly()
    {
        using var oldRoot = RotationCa.NewRoot("Rotation Old Root");
        using var newRoot = RotationCa.NewRoot("Rotation New Root");
        var files = Directory.CreateTempSubdirectory("meshnet-anchor-");
        try
        {
            var (certFile, keyFile, extraFile) = (Path.Combine(files.FullName, "ca.crt"), Path.Combine(files.FullName, "ca.key"), Path.Combine(files.FullName, "extra.pem"));
            RotationCa.WriteCaFiles(oldRoot, certFile, keyFile);
            RotationCa.WriteAtomically(extraFile, string.Empty);

            // Leaves of three minutes: a leaf renewed in phase 2 was reissued for the new signer, not on schedule.
            await using var mesh = await RotationMesh.StartAsync(
                output, "--cert-ttl", "3m", "--ca-cert", certFile, "--ca-key", keyFile, "--ca-bundle-extra", extraFile);
            await mesh.WaitForMtlsAsync();
            using var oldProberLeaf = RotationCa.IssueProberLeaf(oldRoot);
            using var newProberLeaf = RotationCa.IssueProberLeaf(newRoot);
            var proberLeaf = oldProberLeaf;
            X509Certificate2[] trusted = [oldRoot];

            await using (var load = new RotationLoad(mesh, () => Volatile.Read(ref proberLeaf), () => Volatile.Read(ref trusted)))
            {
                await Task.Delay(TimeSpan.FromSeconds(3));

                // Phase 1: the new root joins the bundle and reaches every sidecar.
                RotationCa.WriteAtomically(extraFile, oldRoot.ExportCertificatePem() + "\n" + newRoot.ExportCertificatePem() + "\n");
                var phase1 = await WaitForBundleAsync(mesh, ["CN=Rotation Old Root", "CN=Rotation New Root"]);
                Volatile.Write(ref trusted, [oldRoot, newRoot]);
                mesh.Log.Note($"phase 1: every sidecar trusts both roots after {phase1.TotalMilliseconds:F0} ms");

                // A botched phase 2 first: the new certificate with the old key. Refused, reported, nothing changes.
                RotationCa.WriteAtomically(certFile, newRoot.ExportCertificatePem() + "\n");
                var (errors, _) = await Poll.UntilAsync(
                    mesh.Admin.ErrorsAsync, e => e.Any(x => x.Origin == "identity"), PhaseTimeout, "the refused CA reload is in /debug/errors");
                mesh.Log.Note($"refused reload: {errors.First(x => x.Origin == "identity").Message}");
                Assert.Contains("--ca-cert: cannot load the CA certificate", errors.First(x => x.Origin == "identity").Message);
                Assert.Equal(RotationCa.Sha256(oldRoot), await SignerAsync(mesh));

                // Phase 2: the new root signs; every sidecar re-certifies (jitter within 10 % of 3 minutes).
                RotationCa.WriteCaFiles(newRoot, certFile, keyFile);
                Volatile.Write(ref proberLeaf, newProberLeaf);
                var phase2 = await Poll.UntilAsync(
                    async () =>
                    {
                        foreach (var sidecar in mesh.Sidecars)
                        {
                            using var leaf = await RotationCa.ServedLeafAsync(sidecar.Inbound, newProberLeaf);
                            if (!RotationCa.ChainsTo(leaf, newRoot))
                            {
                                return false;
                            }
                        }

                        return true;
                    },
                    PhaseTimeout,
                    "every sidecar serves a leaf of the new root");
                mesh.Log.Note($"phase 2: every sidecar re-certified under the new root after {phase2.TotalMilliseconds:F0} ms");
                Assert.Equal(RotationCa.Sha256(newRoot), await SignerAsync(mesh));

                // Phase 3: the old root leaves the bundle.
                RotationCa.WriteAtomically(extraFile, string.Empty);
                var phase3 = await WaitForBundleAsync(mesh, ["CN=Rotation New Root"]);
                Volatile.Write(ref trusted, [newRoot]);
                mesh.Log.Note($"phase 3: every sidecar trusts the new root only after {phase3.TotalMilliseconds:F0} ms");

                // Fresh handshakes under the new root alone.
                await Task.Delay(TimeSpan.FromSeconds(5));
                await load.StopAsync();
                mesh.Log.Note($"trust-anchor rotation: {load}");
                Assert.Empty(load.Failures);
            }

            foreach (var sidecar in mesh.Sidecars)
            {
                using var leaf = await RotationCa.ServedLeafAsync(sidecar.Inbound, newProberLeaf);
                Assert.True(RotationCa.ChainsTo(leaf, newRoot), $"{sidecar.Inbound} serves {leaf.Issuer}");
                Assert.False(RotationCa.ChainsTo(leaf, oldRoot), $"{sidecar.Inbound} still chains to the old root");
            }

            Assert.Empty(await mesh.Admin.ErrorsAsync());
            await AssertNoPeerRefusedAsync(mesh);
        }
        finally
        {
            files.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task ControlPlaneDownAcrossARenewal_TrafficContinues_AndSidecarsRenewWhenItReturns()
    {
        await using var mesh = await RotationMesh.StartAsync(output, "--cert-ttl", "1m");
        await mesh.WaitForMtlsAsync();
        using var ca = RotationCa.Load(Path.Combine(mesh.StateDirectory, "ca.crt"), Path.Combine(mesh.StateDirectory, "ca.key"));
        using var proberLeaf = RotationCa.IssueProberLeaf(ca);
        var before = new Dictionary<SidecarProcess, SidecarCerts>();
        foreach (var sidecar in mesh.Sidecars)
        {
            before[sidecar] = await SidecarCerts.GetAsync(sidecar);
        }

        // Every leaf is younger than its half-life (renewal is due 24-36 s after issue), so each renewal falls into the outage.
        var firstExpiry = before.Values.Min(c => c.NotAfter!.Value);
        Assert.True(firstExpiry - DateTimeOffset.UtcNow > TimeSpan.FromSeconds(36), $"a leaf is past half-life already: expires {firstExpiry:o}");

        await using (var load = new RotationLoad(mesh, () => proberLeaf, () => [ca]))
        {
            await mesh.StopControlPlaneAsync();

            // Down until every sidecar has failed to renew at least once, or until 15 s before the first expiry (a
            // sidecar certified a few seconds after the others may only be due later); the first leaf to expire was
            // due for renewal well inside the outage either way.
            var restartBy = firstExpiry - TimeSpan.FromSeconds(15);
            var (failed, failing) = await Poll.UntilAsync(
                async () =>
                {
                    var failures = new Dictionary<SidecarProcess, int>();
                    foreach (var sidecar in mesh.Sidecars)
                    {
                        failures[sidecar] = (await SidecarCerts.GetAsync(sidecar)).RenewalFailures;
                    }

                    return failures;
                },
                failures => failures.Values.All(f => f > 0) || DateTimeOffset.UtcNow >= restartBy,
                restartBy - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(5),
                "every sidecar tried to renew while the control plane was down",
                TimeSpan.FromMilliseconds(500));
            var firstToExpire = before.MinBy(b => b.Value.NotAfter!.Value).Key;
            Assert.True(failed[firstToExpire] > 0, "the first leaf to expire was not renewed during the outage");
            mesh.Log.Note($"{failed.Values.Count(f => f > 0)}/{failed.Count} sidecars failed a renewal {failing.TotalSeconds:F1} s into the outage; {(firstExpiry - DateTimeOffset.UtcNow).TotalSeconds:F0} s before the first expiry; {load}");

            await mesh.StartControlPlaneAsync();
            var (_, renewed) = await Poll.UntilAsync(
                async () =>
                {
                    foreach (var sidecar in mesh.Sidecars)
                    {
                        var now = await SidecarCerts.GetAsync(sidecar);
                        if (now.NotBefore == before[sidecar].NotBefore || now.RenewalFailures != 0)
                        {
                            return false;
                        }
                    }

                    return true;
                },
                done => done,
                firstExpiry - DateTimeOffset.UtcNow,
                "every sidecar renewed before its leaf expired",
                TimeSpan.FromMilliseconds(250));
            mesh.Log.Note($"every sidecar renewed {renewed.TotalSeconds:F1} s after the control plane returned, {(firstExpiry - DateTimeOffset.UtcNow).TotalSeconds:F0} s before the first old leaf expired");

            // Past the old leaves' expiry, on the new ones.
            var afterExpiry = firstExpiry - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(3);
            await Task.Delay(afterExpiry > TimeSpan.Zero ? afterExpiry : TimeSpan.Zero);
            await load.StopAsync();
            mesh.Log.Note($"outage across a renewal: {load}");
            Assert.Empty(load.Failures);
        }

        await AssertNoPeerRefusedAsync(mesh);
    }

    private static async Task<TimeSpan> WaitForBundleAsync(RotationMesh mesh, string[] subjects) =>
        await Poll.UntilAsync(
            async () =>
            {
                foreach (var sidecar in mesh.Sidecars)
                {
                    if (!(await SidecarCerts.GetAsync(sidecar)).Bundle.Order(StringComparer.Ordinal).SequenceEqual(subjects.Order(StringComparer.Ordinal)))
                    {
                        return false;
                    }
                }

                return true;
            },
            PhaseTimeout,
            $"every sidecar's trust bundle is [{string.Join(", ", subjects)}]");

    /// <summary>The SHA-256 of the certificate the control plane signs with now (GET /identity/ca).</summary>
    private static async Task<string> SignerAsync(RotationMesh mesh)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };
        using var json = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync($"http://{mesh.AdminEndPoint}/identity/ca"));
        return json.RootElement.GetProperty("signer").GetProperty("sha256").GetString()!;
    }

    private static async Task AssertNoPeerRefusedAsync(RotationMesh mesh)
    {
        foreach (var sidecar in mesh.Sidecars)
        {
            var certs = await SidecarCerts.GetAsync(sidecar);
            Assert.True(certs.Refused.Count == 0, $"{sidecar.Inbound} refused peers: {string.Join(", ", certs.Refused.Select(r => $"{r.Key}={r.Value}"))}");
        }
    }
}
