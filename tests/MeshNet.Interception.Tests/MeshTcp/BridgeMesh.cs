using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MeshNet.Interception.Tests.Harness;
using Xunit.Abstractions;

namespace MeshNet.Interception.Tests.MeshTcp;

/// <summary>
/// A control plane on the host, reached over TLS from pods on a <see cref="PodBridge"/>, and certified sidecars behind
/// `meshnet-proxy init` in those pods: the set-up the raw-TCP interception tests share.
/// </summary>
internal sealed class BridgeMesh
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private BridgeMesh(PodBridge bridge, string manifests, string state, Uri admin, string grpc)
    {
        Bridge = bridge;
        Manifests = manifests;
        State = state;
        Admin = admin;
        Grpc = grpc;
    }

    public PodBridge Bridge { get; }

    /// <summary>The control plane's watched manifest directory (tests rewrite files in it).</summary>
    public string Manifests { get; }

    public string State { get; }

    /// <summary>The control plane's admin URL.</summary>
    public Uri Admin { get; }

    /// <summary>"IP:port" of the control plane's gRPC port on the bridge gateway.</summary>
    public string Grpc { get; }

    /// <summary>Root only: runs <paramref name="test"/> on a fresh bridge, printing the processes' logs afterwards.</summary>
    public static async Task RunAsync(ITestOutputHelper output, Func<PodBridge, Task> test)
    {
        if (!HostShell.IsRoot)
        {
            output.WriteLine("skipped: needs root for network namespaces, veth and iptables");
            return;
        }

        await using var bridge = await PodBridge.CreateAsync();
        try
        {
            await test(bridge);
        }
        finally
        {
            output.WriteLine(string.Join('\n', bridge.Logs.Where(l => !l.Contains("Microsoft.Hosting", StringComparison.Ordinal))));
        }
    }

    /// <summary>Writes blog.yaml and starts the control plane listening for gRPC on the bridge gateway.</summary>
    public static async Task<BridgeMesh> StartAsync(PodBridge bridge, string blogYaml, ITestOutputHelper output)
    {
        var manifests = Directory.CreateTempSubdirectory("mnt-tcp-manifests-").FullName;
        var state = Directory.CreateTempSubdirectory("mnt-tcp-state-").FullName;
        bridge.DeleteOnDispose(manifests);
        bridge.DeleteOnDispose(state);
        await File.WriteAllTextAsync(Path.Combine(manifests, "blog.yaml"), blogYaml);

        var control = bridge.Start(null, null, Binaries.DotnetHost, Binaries.Program("MeshNet.ControlPlane", "meshnet-control"),
            "--config", manifests, "--grpc", $"{bridge.Gateway}:0", "--admin", "127.0.0.1:0", "--state-dir", state, "--debounce-quiet", "50ms");
        var ready = await control.StandardOutput.ReadLineAsync().WaitAsync(Deadline);
        output.WriteLine(ready);
        var fields = ready!.Split(' ')
            .Where(f => f.Contains('=', StringComparison.Ordinal))
            .ToDictionary(f => f[..f.IndexOf('=', StringComparison.Ordinal)], f => f[(f.IndexOf('=', StringComparison.Ordinal) + 1)..]);
        return new BridgeMesh(bridge, manifests, state, new Uri($"http://{fields["admin"]}"), fields["grpc"]);
    }

    /// <summary>Interception rules, a join token and a sidecar over TLS to the control plane; returns its admin URL once certified.</summary>
    public async Task<Uri> StartSidecarAsync(string ns, string serviceAccount, string name, int appPort)
    {
        var proxy = Binaries.Program("MeshNet.Proxy", "meshnet-proxy");
        await HostShell.RunAsync("ip", "netns", "exec", ns, Binaries.DotnetHost, proxy, "init", "--exclude-inbound-ports", "15000");
        var podIp = (await HostShell.RunAsync("ip", "netns", "exec", ns, "ip", "-4", "-o", "addr", "show", "eth0")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[3].Split('/')[0];
        using var http = new HttpClient();
        var token = await http.PostAsJsonAsync(new Uri(Admin, "/identity/tokens"), new { @namespace = "blog", serviceAccount, ttl = "1h" });
        token.EnsureSuccessStatusCode();
        var sidecar = Bridge.Start(
            ns,
            new Dictionary<string, string>
            {
                ["MESHNET_JOIN_TOKEN"] = (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!,
                ["MESHNET_CONTROL_PLANE_CA"] = Path.Combine(State, "ca-bundle.pem"),
            },
            Binaries.DotnetHost, proxy, "--control-plane", $"https://{Grpc}", "--name", name, "--namespace", "blog",
            "--labels", $"app={serviceAccount}", "--service-account", serviceAccount, "--app-address", podIp,
            "--app-port", appPort.ToString(CultureInfo.InvariantCulture),
            "--inbound", $"{podIp}:15006", "--outbound", "127.0.0.1:15001", "--admin", $"{podIp}:15000", "--dns", "127.0.0.1:15053");
        var line = await sidecar.StandardOutput.ReadLineAsync().WaitAsync(Deadline);
        Assert.StartsWith("meshnet-proxy ready", line, StringComparison.Ordinal);
        var admin = new Uri($"http://{podIp}:15000/");
        await Poll.UntilAsync(
            () => http.GetStringAsync(new Uri(admin, "certs")),
            c => c.Contains($"\"spiffe://cluster.local/ns/blog/sa/{serviceAccount}\"", StringComparison.Ordinal),
            Deadline,
            $"{name}'s certificate over the TLS control plane");
        return admin;
    }

    /// <summary>Sends <paramref name="message"/> from a pod, half-closes, and returns what came back ("" when closed).</summary>
    public static async Task<string> ExchangeAsync(string ns, IPAddress address, int port, string message)
    {
        var (code, stdout, stderr) = await HostShell.InPodAsync(ns, "python3", "-c", TcpScripts.Client(address.ToString(), port, message));
        Assert.True(code == 0, $"client in {ns} exited {code}: {stderr}");
        return stdout;
    }
}
