using MeshNet.EndToEnd.Tests.Harness;
using Xunit.Abstractions;
using static MeshNet.EndToEnd.Tests.MeshScenario;

namespace MeshNet.EndToEnd.Tests;

/// <summary>
/// Sidecars with join tokens get certificates from the control plane's CA, report the identity they serve, and
/// clients then speak mTLS to them: the backend's sidecar names the caller's SPIFFE ID to the app.
/// </summary>
public sealed class MtlsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SidecarsWithJoinTokens_SpeakMtls_AndTheServerSeesTheCallersIdentity()
    {
        await using var bed = await MeshTestBed.StartAsync(output, BackendServiceManifest());
        var backendIdentity = await bed.Admin.CreateJoinTokenAsync(MeshTestBed.Namespace, "backend");
        var clientIdentity = await bed.Admin.CreateJoinTokenAsync(MeshTestBed.Namespace, "client");
        var backend = await bed.StartMeshedBackendAsync("backend-1", BackendLabels, backendIdentity);
        var client = await bed.StartClientAsync("client", clientIdentity);
        await bed.WaitForReadyEndpointsAsync(BackendService, SettleTimeout, backend.Address);
        using var mesh = new MeshClient(client.RequiredSidecar.Outbound);

        // A sidecar with a token becomes an endpoint only once certified, so no answer may come over plaintext:
        // a plaintext connection pooled early would stay plaintext.
        var seen = new List<string>();
        var (peer, after) = await Poll.UntilAsync(
            async () =>
            {
                using var response = await mesh.Http.GetAsync(BackendUrl);
                var value = response.Headers.TryGetValues("x-echo-peer", out var values) ? values.First() : string.Empty;
                seen.Add(value);
                return value;
            },
            value => value.StartsWith("spiffe://", StringComparison.Ordinal),
            SettleTimeout,
            "the backend's sidecar sees the client's SPIFFE ID (mTLS)");
        bed.Log.Note($"mTLS in use {after.TotalMilliseconds:F0} ms after both sidecars started; peer {peer}");

        Assert.Equal($"spiffe://cluster.local/ns/{MeshTestBed.Namespace}/sa/client", peer);
        Assert.DoesNotContain("plaintext", seen);
        var tally = await mesh.SendAsync(BackendUrl, 50);
        Assert.Empty(tally.Failures);
    }

    [Fact]
    public async Task ASidecarWithoutAToken_StillReachesAnMtlsBackend_InPlaintext()
    {
        await using var bed = await MeshTestBed.StartAsync(output, BackendServiceManifest());
        var backendIdentity = await bed.Admin.CreateJoinTokenAsync(MeshTestBed.Namespace, "backend");
        var client = await bed.StartClientAsync();
        var backend = await bed.StartMeshedBackendAsync("backend-1", BackendLabels, backendIdentity);
        await bed.WaitForReadyEndpointsAsync(BackendService, SettleTimeout, backend.Address);
        await bed.WaitForSidecarConfigAsync(client.RequiredSidecar, [backend.Address]);
        using var mesh = new MeshClient(client.RequiredSidecar.Outbound);

        // A namespace without the strict annotation is permissive: the client has no certificate to present, so
        // it speaks plaintext, and the server labels the caller as such.
        var (peer, _) = await Poll.UntilAsync(
            async () =>
            {
                using var response = await mesh.Http.GetAsync(BackendUrl);
                return response.IsSuccessStatusCode && response.Headers.TryGetValues("x-echo-peer", out var values) ? values.First() : string.Empty;
            },
            value => value.Length > 0,
            SettleTimeout,
            "the backend answers the client without a certificate");

        Assert.Equal("plaintext", peer);
    }
}
