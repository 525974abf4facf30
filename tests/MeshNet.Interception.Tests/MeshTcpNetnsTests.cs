using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MeshNet.Interception.Tests.Harness;
using MeshNet.Interception.Tests.MeshTcp;
using Xunit.Abstractions;

namespace MeshNet.Interception.Tests;

/// <summary>
/// Root only: raw TCP between meshed pods under real interception. Two pods with sidecars behind `meshnet-proxy
/// init` (a client and an echo server) and an unmeshed pod, on one bridge; a real control plane reached over TLS from
/// the pods. In STRICT the client's bytes cross the wire as TLS (a capture in the server's namespace sees a TLS
/// record and never the cleartext) and come back echoed; the unmeshed pod's plaintext is closed; PERMISSIVE lets it
/// through; an L4 Deny for the client's identity closes the client's connection while others still pass.
/// </summary>
public sealed class MeshTcpNetnsTests(ITestOutputHelper output)
{
    private const int EchoPort = 9000;
    private const string Secret = "ping-secret-4711";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public Task RawTcp_BetweenMeshedPods_IsMtlsInStrict_PlaintextClosedThenPermitted_L4DenyCloses() =>
        BridgeMesh.RunAsync(output, RunAsync);

    private async Task RunAsync(PodBridge bridge)
    {
        var mesh = await BridgeMesh.StartAsync(bridge, Namespace("strict") + Service, output);
        var (clientNs, _) = await bridge.AddPodAsync();
        var (echoNs, echoIp) = await bridge.AddPodAsync();
        var (outsideNs, _) = await bridge.AddPodAsync();
        bridge.Start(echoNs, null, "python3", "-c", TcpScripts.EchoServer(echoIp.ToString(), EchoPort));
        var clientAdmin = await mesh.StartSidecarAsync(clientNs, "client", "client-0", appPort: 8080);
        var echoAdmin = await mesh.StartSidecarAsync(echoNs, "echo", "echo-0", appPort: EchoPort);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await Poll.UntilAsync(() => http.GetStringAsync($"{clientAdmin}config"), c => c.Contains("spiffe://cluster.local/ns/blog/sa/echo", StringComparison.Ordinal), Deadline, "the echo endpoint's identity at the client");
        await Poll.UntilAsync(() => http.GetStringAsync($"{echoAdmin}config"), c => c.Contains("STRICT", StringComparison.Ordinal), Deadline, "STRICT at the echo sidecar");

        // STRICT, meshed client: echoed, and on the server's wire only TLS.
        var capture = bridge.Start(echoNs, null, "python3", "-c", TcpScripts.Capture(EchoPort, Secret));
        Assert.Equal("capturing", await capture.StandardOutput.ReadLineAsync().WaitAsync(Deadline));
        Assert.Equal($"echo:{Secret}", await ExchangeAsync(clientNs, echoIp, Secret));
        await HostShell.RunAsync("kill", "-TERM", capture.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var wire = await capture.StandardOutput.ReadLineAsync().WaitAsync(Deadline);
        output.WriteLine($"capture: {wire}");
        Assert.Matches("^segments=[1-9][0-9]* first=16 cleartext=False$", wire);

        // STRICT, unmeshed client: closed without an answer, counted as a refusal.
        Assert.Equal(string.Empty, await ExchangeAsync(outsideNs, echoIp, "ping"));
        var refused = await Poll.UntilAsync(() => RefusedAsync(http, echoAdmin, "plaintext-in-strict"), n => n >= 1, Deadline, "plaintext-in-strict refusals");
        output.WriteLine($"plaintext-in-strict refusals: {refused}");

        // PERMISSIVE: the unmeshed client's plaintext is passed to the app, the meshed client still speaks mTLS.
        await File.WriteAllTextAsync(Path.Combine(mesh.Manifests, "blog.yaml"), Namespace("permissive") + Service);
        await Poll.UntilAsync(() => http.GetStringAsync($"{echoAdmin}config"), c => !c.Contains("STRICT", StringComparison.Ordinal), Deadline, "PERMISSIVE at the echo sidecar");
        Assert.Equal("echo:ping", await ExchangeAsync(outsideNs, echoIp, "ping"));
        Assert.Equal($"echo:{Secret}", await ExchangeAsync(clientNs, echoIp, Secret));

        // L4 Deny for the client's identity: its connection is closed, a caller without that identity still passes.
        await File.WriteAllTextAsync(Path.Combine(mesh.Manifests, "deny.yaml"), DenyClient);
        await Poll.UntilAsync(() => http.GetStringAsync($"{echoAdmin}config"), c => c.Contains("deny-client", StringComparison.Ordinal), Deadline, "the Deny policy at the echo sidecar");
        Assert.Equal(string.Empty, await ExchangeAsync(clientNs, echoIp, Secret));
        Assert.Equal("echo:ping", await ExchangeAsync(outsideNs, echoIp, "ping"));
    }

    private static Task<string> ExchangeAsync(string ns, IPAddress address, string message) =>
        BridgeMesh.ExchangeAsync(ns, address, EchoPort, message);

    private static async Task<long> RefusedAsync(HttpClient http, Uri sidecarAdmin, string reason)
    {
        var certs = await http.GetFromJsonAsync<JsonElement>(new Uri(sidecarAdmin, "certs"));
        return certs.GetProperty("refused").TryGetProperty(reason, out var count) ? count.GetInt64() : 0;
    }

    private static string Namespace(string mtls) => $"""
        apiVersion: v1
        kind: Namespace
        metadata:
          name: blog
          annotations:
            meshnet.io/mtls: {mtls}
        ---

        """;

    private const string Service = """
        apiVersion: v1
        kind: Service
        metadata:
          name: echo
          namespace: blog
        spec:
          selector:
            app: echo
          ports:
            - name: tcp-echo
              port: 9000
              targetPort: 9000
        """;

    private const string DenyClient = """
        apiVersion: meshnet.io/v1alpha1
        kind: AuthorizationPolicy
        metadata:
          name: deny-client
          namespace: blog
        spec:
          targetRef: {kind: Service, name: echo}
          action: Deny
          rules:
            - from:
                - serviceAccounts: [blog/client]
        """;
}
