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
    public async Task RawTcp_BetweenMeshedPods_IsMtlsInStrict_PlaintextClosedThenPermitted_L4DenyCloses()
    {
        if (!HostShell.IsRoot)
        {
            output.WriteLine("skipped: needs root for network namespaces, veth and iptables");
            return;
        }

        await using var bridge = await PodBridge.CreateAsync();
        try
        {
            await RunAsync(bridge);
        }
        finally
        {
            output.WriteLine(string.Join('\n', bridge.Logs.Where(l => !l.Contains("Microsoft.Hosting", StringComparison.Ordinal))));
        }
    }

    private async Task RunAsync(PodBridge bridge)
    {
        var manifests = Directory.CreateTempSubdirectory("mnt-tcp-manifests-").FullName;
        var state = Directory.CreateTempSubdirectory("mnt-tcp-state-").FullName;
        bridge.DeleteOnDispose(manifests);
        bridge.DeleteOnDispose(state);
        await File.WriteAllTextAsync(Path.Combine(manifests, "blog.yaml"), Namespace("strict") + Service);

        var control = bridge.Start(null, null, Binaries.DotnetHost, Dll("MeshNet.ControlPlane", "meshnet-control"),
            "--config", manifests, "--grpc", $"{bridge.Gateway}:0", "--admin", "127.0.0.1:0", "--state-dir", state, "--debounce-quiet", "50ms");
        var ready = await control.StandardOutput.ReadLineAsync().WaitAsync(Deadline);
        output.WriteLine(ready);
        var fields = ready!.Split(' ').Where(f => f.Contains('=', StringComparison.Ordinal)).ToDictionary(f => f[..f.IndexOf('=', StringComparison.Ordinal)], f => f[(f.IndexOf('=', StringComparison.Ordinal) + 1)..]);
        var admin = new Uri($"http://{fields["admin"]}");

        var (clientNs, _) = await bridge.AddPodAsync();
        var (echoNs, echoIp) = await bridge.AddPodAsync();
        var (outsideNs, _) = await bridge.AddPodAsync();
        bridge.Start(echoNs, null, "python3", "-c", TcpScripts.EchoServer(echoIp.ToString(), EchoPort));
        var clientAdmin = await StartSidecarAsync(bridge, clientNs, admin, fields["grpc"], state, "client", appPort: 8080);
        var echoAdmin = await StartSidecarAsync(bridge, echoNs, admin, fields["grpc"], state, "echo", appPort: EchoPort);

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
        await File.WriteAllTextAsync(Path.Combine(manifests, "blog.yaml"), Namespace("permissive") + Service);
        await Poll.UntilAsync(() => http.GetStringAsync($"{echoAdmin}config"), c => !c.Contains("STRICT", StringComparison.Ordinal), Deadline, "PERMISSIVE at the echo sidecar");
        Assert.Equal("echo:ping", await ExchangeAsync(outsideNs, echoIp, "ping"));
        Assert.Equal($"echo:{Secret}", await ExchangeAsync(clientNs, echoIp, Secret));

        // L4 Deny for the client's identity: its connection is closed, a caller without that identity still passes.
        await File.WriteAllTextAsync(Path.Combine(manifests, "deny.yaml"), DenyClient);
        await Poll.UntilAsync(() => http.GetStringAsync($"{echoAdmin}config"), c => c.Contains("deny-client", StringComparison.Ordinal), Deadline, "the Deny policy at the echo sidecar");
        Assert.Equal(string.Empty, await ExchangeAsync(clientNs, echoIp, Secret));
        Assert.Equal("echo:ping", await ExchangeAsync(outsideNs, echoIp, "ping"));
    }

    private static async Task<string> ExchangeAsync(string ns, IPAddress address, string message)
    {
        var (code, stdout, stderr) = await HostShell.InPodAsync(ns, "python3", "-c", TcpScripts.Client(address.ToString(), EchoPort, message));
        Assert.True(code == 0, $"client in {ns} exited {code}: {stderr}");
        return stdout;
    }

    private static async Task<long> RefusedAsync(HttpClient http, Uri sidecarAdmin, string reason)
    {
        var certs = await http.GetFromJsonAsync<JsonElement>(new Uri(sidecarAdmin, "certs"));
        return certs.GetProperty("refused").TryGetProperty(reason, out var count) ? count.GetInt64() : 0;
    }

    /// <summary>Interception rules, a join token and a sidecar that reaches the control plane over TLS; returns its admin URL once certified.</summary>
    private async Task<Uri> StartSidecarAsync(PodBridge bridge, string ns, Uri controlAdmin, string grpc, string state, string serviceAccount, int appPort)
    {
        var proxy = Dll("MeshNet.Proxy", "meshnet-proxy");
        await HostShell.RunAsync("ip", "netns", "exec", ns, Binaries.DotnetHost, proxy, "init", "--exclude-inbound-ports", "15000");
        var (_, podIp) = (ns, (await HostShell.RunAsync("ip", "netns", "exec", ns, "ip", "-4", "-o", "addr", "show", "eth0")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[3].Split('/')[0]);
        using var http = new HttpClient();
        var token = await http.PostAsJsonAsync(new Uri(controlAdmin, "/identity/tokens"), new { @namespace = "blog", serviceAccount, ttl = "1h" });
        token.EnsureSuccessStatusCode();
        var sidecar = bridge.Start(
            ns,
            new Dictionary<string, string>
            {
                ["MESHNET_JOIN_TOKEN"] = (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!,
                ["MESHNET_CONTROL_PLANE_CA"] = Path.Combine(state, "ca-bundle.pem"),
            },
            Binaries.DotnetHost, proxy, "--control-plane", $"https://{grpc}", "--name", $"{serviceAccount}-0", "--namespace", "blog",
            "--labels", $"app={serviceAccount}", "--service-account", serviceAccount, "--app-address", podIp,
            "--app-port", appPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--inbound", $"{podIp}:15006", "--outbound", "127.0.0.1:15001", "--admin", $"{podIp}:15000", "--dns", "127.0.0.1:15053");
        var line = await sidecar.StandardOutput.ReadLineAsync().WaitAsync(Deadline);
        Assert.StartsWith("meshnet-proxy ready", line, StringComparison.Ordinal);
        var admin = new Uri($"http://{podIp}:15000/");
        await Poll.UntilAsync(() => http.GetStringAsync(new Uri(admin, "certs")), c => c.Contains($"\"spiffe://cluster.local/ns/blog/sa/{serviceAccount}\"", StringComparison.Ordinal), Deadline, $"{serviceAccount}'s certificate over the TLS control plane");
        return admin;
    }

    private static string Dll(string project, string assembly)
    {
        if (Environment.GetEnvironmentVariable("MESHNET_BIN_DIR") is { Length: > 0 } overridden)
        {
            return Path.Combine(overridden, assembly + ".dll");
        }

        var meshctl = Binaries.Meshctl;
        var configuration = Path.GetFileName(Path.GetDirectoryName(meshctl))!;
        return Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(meshctl)))!, project, configuration, assembly + ".dll");
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
