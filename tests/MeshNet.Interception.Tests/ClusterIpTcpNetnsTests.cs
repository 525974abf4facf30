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
    public Task RawTcp_ThroughAClusterIp_IsBalancedOverBothPods_AsMtls_AndServerFirstWorksToo() =>
        BridgeMesh.RunAsync(output, RunAsync);

    private async Task RunAsync(PodBridge bridge)
    {
        var mesh = await BridgeMesh.StartAsync(bridge, Manifests, output);
        var admin = mesh.Admin;
        var (clientNs, _) = await bridge.AddPodAsync();
        var pods = new List<(string Ns, IPAddress Ip, string Name)>();
        foreach (var name in new[] { "echo-1", "echo-2" })
        {
            var (ns, ip) = await bridge.AddPodAsync();
            bridge.Start(ns, null, "python3", "-c", Servers(ip.ToString(), name));
            pods.Add((ns, ip, name));
        }

        var clientAdmin = await mesh.StartSidecarAsync(clientNs, "client", "client-0", EchoPort);
        foreach (var pod in pods)
        {
            await mesh.StartSidecarAsync(pod.Ns, "echo", pod.Name, EchoPort);
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
            var answer = await Poll.UntilAsync(() => BridgeMesh.ExchangeAsync(clientNs, echoIp, EchoPort, Secret), a => a.Length > 0, Deadline, "an echo through the ClusterIP");
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
