using System.Net;
using MeshNet.EndToEnd.Tests.Harness;

namespace MeshNet.EndToEnd.Tests.Authorization;

/// <summary>What a caller got back: the status, the mesh's reason (x-meshnet-error) and the identity the app was told.</summary>
internal sealed record AuthorizationOutcome(HttpStatusCode? Status, string? MeshError, string? Peer)
{
    public override string ToString() => $"{(Status is { } s ? (int)s : 0)} {MeshError} peer={Peer}";
}

/// <summary>Requests from one calling pod through its sidecar, and waits on its certificate.</summary>
internal static class AuthorizationProbe
{
    /// <summary>One request with <paramref name="method"/> to <paramref name="url"/>, routed by its sidecar.</summary>
    public static async Task<AuthorizationOutcome> SendAsync(MeshClient mesh, HttpMethod method, string url)
    {
        using var request = new HttpRequestMessage(method, url);
        try
        {
            using var response = await mesh.Http.SendAsync(request);
            await response.Content.ReadAsStringAsync();
            return new AuthorizationOutcome(
                response.StatusCode,
                response.Headers.TryGetValues(MeshClient.ErrorHeader, out var error) ? error.First() : null,
                response.Headers.TryGetValues("x-echo-peer", out var peer) ? peer.First() : null);
        }
        catch (HttpRequestException e)
        {
            return new AuthorizationOutcome(null, e.Message, null);
        }
    }

    /// <summary>
    /// Waits until the sidecar holds its mesh certificate. Callers send nothing before: a connection opened in
    /// plaintext before the certificate arrived would stay pooled, and the test would judge the wrong identity.
    /// </summary>
    public static async Task WaitForCertificateAsync(SidecarProcess sidecar, TimeSpan timeout)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };
        await Poll.UntilAsync(
            async () => (await http.GetStringAsync($"http://{sidecar.Admin}/certs")).Contains("\"identity\":\"spiffe://", StringComparison.Ordinal),
            timeout,
            $"sidecar at {sidecar.Admin} holds a mesh certificate");
    }
}
