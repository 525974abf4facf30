using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MeshNet.Interception.Tests.Harness;
using MeshNet.Interception.Tests.MeshTcp;
using Xunit.Abstractions;

namespace MeshNet.Interception.Tests;

/// <summary>
/// Root only: raw TCP to a Service's ClusterIP under real interception, in a STRICT namespace. Two meshed echo pods
/// behind three Services (a client-first echo with appProtocol tcp, a server-first greeter without appProtocol, and
/// HTTP), and a meshed client pod. The client's sidecar balances each ClusterIP connection over both pods, the bytes
/// on the client's wire are TLS (never the cleartext), the greeter's greeting arrives although the client says
/// nothing first, and HTTP through a ClusterIP still works.
/// </summary>
public sealed class ClusterIpTcpNetnsTests(ITestOutputHelper output)
{
    private const int EchoPort = 9000;
    private const int GreetPort = 9100;
    private const int WebPort = 8080;
    private const string Secret = "l4-secret-0815";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task RawTcp_ThroughAClusterIp_IsBalancedOverBothPods_AsMtls_AndServerFirstWorksToo()
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
        var manifests = Directory.CreateTempSubdirectory("mnt-l4-manifests-").FullName;
        var state = Directory.CreateTempSubdirectory("mnt-l4-state-").FullName;
        bridge.DeleteOnDispose(manifests);
        bridge.DeleteOnDispose(state);
        await File.WriteAllTextAsync(Path.Combine(manifests, "blog.yaml"), Manifests);

        var control = bridge.Start(null, null, Binaries.DotnetHost, Dll("MeshNet.ControlPlane", "meshnet-control"),
            "--config", manifests, "--grpc", $"{bridge.Gateway}:0", "--admin", "127.0.0.1:0", "--state-dir", state, "--debounce-quiet", "50ms");
        var ready = await control.StandardOutput.ReadLineAsync().WaitAsync(Deadline);
        output.WriteLine(ready);
        var fields = ready!.Split(' ').Where(f => f.Contains('=', StringComparison.Ordinal)).ToDictionary(f => f[..f.IndexOf('=', StringComparison.Ordinal)], f => f[(f.IndexOf('=', StringComparison.Ordinal) + 1)..]);
        var admin = new Uri($"http://{fields["admin"]}");

        var (clientNs, _) = await bridge.AddPodAsync();
        var pods = new List<(string Ns, IPAddress Ip, string Name)>();
        foreach (var name in new[] { "echo-1", "echo-2" })
        {
            var (ns, ip) = await bridge.AddPodAsync();
            bridge.Start(ns, null, "python3", "-c", Servers(ip.ToString(), name));
            pods.Add((ns, ip, name));
        }

        var clientAdmin = await StartSidecarAsync(bridge, clientNs, admin, fields["grpc"], state, "client", "client-0");
        foreach (var pod in pods)
        {
            await StartSidecarAsync(bridge, pod.Ns, admin, fields["grpc"], state, "echo", pod.Name);
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var echoIp = await ClusterIpAsync(http, admin, "echo");
        var greetIp = await ClusterIpAsync(http, admin, "greet");
        var webIp = await ClusterIpAsync(http, admin, "web");
        await Poll.UntilAsync(
            () => http.GetStringAsync($"{clientAdmin}config"),
            c => pods.All(p => c.Contains($"\"{p.Ip}\"", StringComparison.Ordinal)) && c.Contains("spiffe://cluster.local/ns/blog/sa/echo", StringComparison.Ordinal) && c.Contains($"{echoIp}:{EchoPort}", StringComparison.Ordinal),
            Deadline,
            "both echo endpoints with their identity at the client");

        // Client-first (appProtocol tcp): every connection is answered, by both pods over a few connections, and the
        // client's wire carries TLS records only.
        var capture = bridge.Start(clientNs, null, "python3", "-c", TcpScripts.Capture(EchoPort, Secret));
        Assert.Equal("capturing", await capture.StandardOutput.ReadLineAsync().WaitAsync(Deadline));
        var answeredBy = new HashSet<string>();
        for (var i = 0; i < 6; i++)
        {
            var answer = await Poll.UntilAsync(() => ExchangeAsync(clientNs, echoIp, EchoPort, Secret), a => a.Length > 0, Deadline, "an echo through the ClusterIP");
            output.WriteLine($"echo {i}: {answer}");
            Assert.Matches($"^echo-[12]:{Secret}$", answer);
            answeredBy.Add(answer[..6]);
        }

        Assert.Equal(["echo-1", "echo-2"], answeredBy.Order());
        var opened = await OutboundTcpOpenedAsync(http, clientAdmin);
        output.WriteLine($"outbound TCP connections opened at the client: {opened}");
        Assert.True(opened >= 6, $"the L4 connections are counted in the TCP metrics ({opened})");
        await HostShell.RunAsync("kill", "-TERM", capture.Id.ToString(CultureInfo.InvariantCulture));
        var wire = await capture.StandardOutput.ReadLineAsync().WaitAsync(Deadline);
        output.WriteLine($"capture: {wire}");
        Assert.Matches("^segments=[1-9][0-9]* first=16 cleartext=False$", wire);

        // Server-first without appProtocol: the sniffer gives up waiting for the client and carries it at L4.
        var greeted = new HashSet<string>();
        for (var i = 0; i < 4; i++)
        {
            var answer = await GreetAsync(clientNs, greetIp, "hi");
            output.WriteLine($"greet {i}: {answer.ReplaceLineEndings("|")}");
            Assert.Matches("^hello from echo-[12]\nhi$", answer);
            greeted.Add(answer[11..17]);
        }

        Assert.Equal(["echo-1", "echo-2"], greeted.Order());

        // HTTP through a ClusterIP (no appProtocol either) is still HTTP, routed by the sidecar.
        var page = await HostShell.CurlAsync(clientNs, $"http://{webIp}/");
        Assert.Matches("^web echo-[12]$", page);
    }

    private static async Task<string> ExchangeAsync(string ns, IPAddress address, int port, string message)
    {
        var (code, stdout, stderr) = await HostShell.InPodAsync(ns, "python3", "-c", TcpScripts.Client(address.ToString(), port, message));
        Assert.True(code == 0, $"client in {ns} exited {code}: {stderr}");
        return stdout;
    }

    private static async Task<string> GreetAsync(string ns, IPAddress address, string message)
    {
        var (code, stdout, stderr) = await HostShell.InPodAsync(ns, "python3", "-c", GreetClient(address.ToString(), GreetPort, message));
        Assert.True(code == 0, $"greet client in {ns} exited {code}: {stderr}");
        return stdout;
    }

    /// <summary>The sidecar's meshnet_tcp_connections_opened_total summed over its outbound series.</summary>
    private static async Task<double> OutboundTcpOpenedAsync(HttpClient http, Uri sidecarAdmin)
    {
        var text = await http.GetStringAsync(new Uri(sidecarAdmin, "metrics"));
        return text.Split('\n')
            .Where(l => l.StartsWith("meshnet_tcp_connections_opened_total{", StringComparison.Ordinal) && l.Contains("direction=\"outbound\"", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    private static async Task<IPAddress> ClusterIpAsync(HttpClient http, Uri controlAdmin, string service)
    {
        var services = await Poll.UntilAsync(
            () => http.GetFromJsonAsync<JsonElement>(new Uri(controlAdmin, "/debug/services")),
            s => s.EnumerateArray().Any(e => e.GetProperty("name").GetString() == service && e.GetProperty("clusterIPs").GetArrayLength() > 0),
            Deadline,
            $"{service}'s ClusterIP");
        var entry = services.EnumerateArray().First(e => e.GetProperty("name").GetString() == service);
        return IPAddress.Parse(entry.GetProperty("clusterIPs")[0].GetString()!);
    }

    /// <summary>Interception rules, a join token and a sidecar over TLS to the control plane; returns its admin URL once certified.</summary>
    private static async Task<Uri> StartSidecarAsync(PodBridge bridge, string ns, Uri controlAdmin, string grpc, string state, string app, string name)
    {
        var proxy = Dll("MeshNet.Proxy", "meshnet-proxy");
        await HostShell.RunAsync("ip", "netns", "exec", ns, Binaries.DotnetHost, proxy, "init", "--exclude-inbound-ports", "15000");
        var podIp = (await HostShell.RunAsync("ip", "netns", "exec", ns, "ip", "-4", "-o", "addr", "show", "eth0")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[3].Split('/')[0];
        using var http = new HttpClient();
        var token = await http.PostAsJsonAsync(new Uri(controlAdmin, "/identity/tokens"), new { @namespace = "blog", serviceAccount = app, ttl = "1h" });
        token.EnsureSuccessStatusCode();
        var sidecar = bridge.Start(
            ns,
            new Dictionary<string, string>
            {
                ["MESHNET_JOIN_TOKEN"] = (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!,
                ["MESHNET_CONTROL_PLANE_CA"] = Path.Combine(state, "ca-bundle.pem"),
            },
            Binaries.DotnetHost, proxy, "--control-plane", $"https://{grpc}", "--name", name, "--namespace", "blog",
            "--labels", $"app={app}", "--service-account", app, "--app-address", podIp,
            "--app-port", EchoPort.ToString(CultureInfo.InvariantCulture),
            "--inbound", $"{podIp}:15006", "--outbound", "127.0.0.1:15001", "--admin", $"{podIp}:15000", "--dns", "127.0.0.1:15053");
        var line = await sidecar.StandardOutput.ReadLineAsync().WaitAsync(Deadline);
        Assert.StartsWith("meshnet-proxy ready", line, StringComparison.Ordinal);
        var admin = new Uri($"http://{podIp}:15000/");
        await Poll.UntilAsync(() => http.GetStringAsync(new Uri(admin, "certs")), c => c.Contains($"\"spiffe://cluster.local/ns/blog/sa/{app}\"", StringComparison.Ordinal), Deadline, $"{name}'s certificate");
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

    /// <summary>
    /// One pod's servers: on 9000 "NAME:" + everything read (client-first); on 9100 a greeting line first, then what
    /// it read (server-first); on 8080 a minimal HTTP/1.1 server answering "web NAME".
    /// </summary>
    private static string Servers(string address, string name) => $$"""
        import socket, threading
        NAME = b"{{name}}"
        def serve(port, handler):
            server = socket.create_server(("{{address}}", port))
            while True:
                conn, _ = server.accept()
                threading.Thread(target=handler, args=(conn,), daemon=True).start()
        def read_all(conn):
            data = b""
            while True:
                chunk = conn.recv(4096)
                if not chunk:
                    return data
                data += chunk
        def echo(conn):
            try:
                conn.sendall(NAME + b":" + read_all(conn))
            except OSError:
                pass
            conn.close()
        def greet(conn):
            try:
                conn.sendall(b"hello from " + NAME + b"\n")
                conn.sendall(read_all(conn))
            except OSError:
                pass
            conn.close()
        def web(conn):
            try:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                body = b"web " + NAME
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
            except OSError:
                pass
            conn.close()
        threading.Thread(target=serve, args=({{GreetPort}}, greet), daemon=True).start()
        threading.Thread(target=serve, args=({{WebPort}}, web), daemon=True).start()
        serve({{EchoPort}}, echo)
        """;

    /// <summary>Waits for the server's greeting line before saying anything, then sends, half-closes and prints it all.</summary>
    private static string GreetClient(string address, int port, string message) => $$"""
        import socket
        s = socket.create_connection(("{{address}}", {{port}}), timeout=10)
        answer = b""
        while not answer.endswith(b"\n"):
            chunk = s.recv(4096)
            if not chunk:
                break
            answer += chunk
        s.sendall(b"{{message}}")
        s.shutdown(socket.SHUT_WR)
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            answer += chunk
        print(answer.decode(), end="")
        """;

    private const string Manifests = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: blog
          annotations:
            meshnet.io/mtls: strict
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: echo
          namespace: blog
        spec:
          selector:
            app: echo
          ports:
            - name: echo
              port: 9000
              targetPort: 9000
              appProtocol: tcp
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: greet
          namespace: blog
        spec:
          selector:
            app: echo
          ports:
            - name: greet
              port: 9100
              targetPort: 9100
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: web
          namespace: blog
        spec:
          selector:
            app: echo
          ports:
            - name: web
              port: 80
              targetPort: 8080
        """;
}
