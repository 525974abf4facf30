using System.Diagnostics;
using System.Text.RegularExpressions;
using MeshNet.Protocol.V1;
using MeshNet.Proxy.Tests.Infrastructure;
using Xunit.Abstractions;
using Proto = MeshNet.Protocol.V1;

namespace MeshNet.Proxy.Tests.Interception;

/// <summary>
/// Root only: the real binary in a real network namespace. `init` rules are idempotent and removed exactly; with
/// them in place an unmodified curl reaches a ClusterIP through the mesh, a cluster name through the DNS proxy,
/// a pod port through transparent inbound, and a non-mesh listener through passthrough.
/// </summary>
public sealed partial class NetnsInterceptionTests(ITestOutputHelper output)
{
    private const string ClusterIp = "10.96.0.10";
    private const int AppPort = 8080;
    private const int EchoPort = 9000;

    [Fact]
    public async Task Init_IsIdempotent_AndRemoveRestoresTheTable()
    {
        if (!NetworkNamespace.IsRoot)
        {
            output.WriteLine("skipped: needs root for network namespaces and iptables");
            return;
        }

        await using var ns = await NetworkNamespace.CreateAsync();
        // Someone else's rule, which init must neither disturb nor remove.
        await ns.ExecAsync("iptables", "-t", "nat", "-A", "OUTPUT", "-p", "tcp", "--dport", "9", "-j", "RETURN");
        await ns.ExecAsync("ip6tables", "-t", "nat", "-A", "OUTPUT", "-p", "tcp", "--dport", "9", "-j", "RETURN");
        var before = await ns.NatRulesAsync();
        var before6 = await ns.NatRulesAsync(ipv6: true);

        await ns.ExecAsync("dotnet", ProcessTests.ProxyDll(), "init", "--exclude-inbound-ports", "15000");
        var once = await ns.NatRulesAsync();
        var once6 = await ns.NatRulesAsync(ipv6: true);
        await ns.ExecAsync("dotnet", ProcessTests.ProxyDll(), "init", "--exclude-inbound-ports", "15000");
        var twice = await ns.NatRulesAsync();
        var twice6 = await ns.NatRulesAsync(ipv6: true);
        await ns.ExecAsync("dotnet", ProcessTests.ProxyDll(), "init", "--remove");
        var removed = await ns.NatRulesAsync();
        var removed6 = await ns.NatRulesAsync(ipv6: true);

        Assert.Contains("-A OUTPUT -j MESHNET_OUTPUT", once, StringComparison.Ordinal);
        Assert.Contains("-A MESHNET_OUTBOUND_REDIRECT -p tcp -j REDIRECT --to-ports 15001", once, StringComparison.Ordinal);
        Assert.Contains("-A MESHNET_OUTPUT -d ::1/128 -j RETURN", once6, StringComparison.Ordinal);
        Assert.Equal(once, twice);
        Assert.Equal(once6, twice6);
        Assert.Equal(before, removed);
        Assert.Equal(before6, removed6);
    }

    [Fact]
    public async Task Transparent_ClusterIpDnsInboundAndPassthrough()
    {
        if (!NetworkNamespace.IsRoot)
        {
            output.WriteLine("skipped: needs root for network namespaces and iptables");
            return;
        }

        await using var ns = await NetworkNamespace.CreateAsync();
        await using var controlPlane = await FakeControlPlane.StartAsync(ns.HostAddress);
        await using var outside = await Backend.StartAsync("outside", bindAddress: ns.HostAddress);
        await using var nonMesh = await Backend.StartAsync("non-mesh", bindAddress: ns.HostAddress);
        var pod = ns.PodAddress.ToString();
        ns.WriteResolvConf($"search blog.svc.cluster.local svc.cluster.local cluster.local\nnameserver {pod}\noptions ndots:5\n");

        await ns.ExecAsync("dotnet", ProcessTests.ProxyDll(), "init", "--exclude-inbound-ports", "15000");
        // Safety net: should interception fail, ClusterIP traffic is refused here rather than routed off the machine.
        // The filter table runs after nat OUTPUT, so redirected packets (now to 127.0.0.1) never match it.
        await ns.ExecAsync("iptables", "-A", "OUTPUT", "-d", "10.96.0.0/16", "-j", "REJECT");
        var app = StartApp(ns, pod);
        var echo = ns.Start("python3", "-c", EchoServer(pod, EchoPort));
        var sidecar = ns.Start(
            "dotnet", ProcessTests.ProxyDll(), "--control-plane", controlPlane.Address.ToString(), "--name", "app-0", "--namespace", "blog",
            "--app-address", pod, "--app-port", NetworkNamespace.Port(AppPort), "--inbound", $"{pod}:15006",
            "--outbound", "127.0.0.1:15001", "--admin", "127.0.0.1:15000", "--dns", "127.0.0.1:15053");
        var ready = await sidecar.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.StartsWith("meshnet-proxy ready", ready, StringComparison.Ordinal);

        await controlPlane.NextRequestAsync();
        // A headless Service with two pods: this one (meshed) and one outside; each pod IP:port is a domain.
        var outsideEndpoint = MeshConfig.Plain(outside.Port, ns.HostAddress.ToString());
        var config = MeshConfig.Full(
            "1",
            [
                MeshConfig.VirtualHost("blog", "posts", 80, "blog", $"{ClusterIp}:80"),
                MeshConfig.VirtualHost("blog", "posts-headless", AppPort, "blog", $"{pod}:{AppPort}", $"{ns.HostAddress}:{outside.Port}"),
            ],
            [
                MeshConfig.Cluster("blog", "posts", 80, MeshConfig.Meshed(15006, AppPort, pod)),
                MeshConfig.Cluster("blog", "posts-headless", AppPort, MeshConfig.Meshed(15006, AppPort, pod), outsideEndpoint),
            ]);
        config.DnsZone = new DnsZone { Zone = "cluster.local", Namespaces = { "blog" } };
        config.DnsServices.Add(DnsProxyTests.Service("posts", ClusterIp));
        var headless = new Proto.DnsService { Key = "blog/posts-headless", Namespace = "blog", Name = "posts-headless", Headless = true };
        headless.Endpoints.Add(new Proto.DnsEndpoint { Addresses = { pod }, Hostname = "pod-0", Ready = true });
        config.DnsServices.Add(headless);
        await Sidecar.AcceptAsync(controlPlane, config);
        await WaitForAppAsync(ns, pod);

        // ClusterIP and cluster names: outbound interception, mesh routing by VIP:port, meshed hop to the
        // sidecar's inbound listener, delivered to the app.
        Assert.Equal("app", await CurlAsync(ns, $"http://{ClusterIp}/"));
        Assert.Equal("app", await CurlAsync(ns, "http://posts.blog.svc.cluster.local/"));
        Assert.Equal("app", await CurlAsync(ns, "http://posts/"));
        Assert.Equal("app", await CurlAsync(ns, "http://posts.blog/"));
        // Routed by the address dialled, not by Host: an unrelated Host still reaches the Service.
        Assert.Equal("app", await CurlAsync(ns, $"http://{ClusterIp}/", "Host: unrelated.example"));

        // A headless pod by name and by IP:port reaches that pod (never its neighbour), still through the mesh.
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal("app", await CurlAsync(ns, $"http://pod-0.posts-headless.blog.svc.cluster.local:{AppPort}/"));
        }

        // DNS to any server on port 53 lands in the sidecar's DNS proxy (nothing listens on the host end).
        Assert.Equal(ClusterIp, (await ns.ExecAsync("dig", "+short", "+time=2", "+tries=1", $"@{ns.HostAddress}", "posts.blog.svc.cluster.local")).Trim());

        // Passthrough: a destination outside the mesh, reached unchanged, but through the outbound listener.
        var redirectedBefore = await RedirectedPacketsAsync(ns);
        var body = await CurlAsync(ns, $"http://{ns.HostAddress}:{nonMesh.Port}/plain");
        Assert.StartsWith("non-mesh|HTTP/1.1|", body, StringComparison.Ordinal);
        Assert.True(await RedirectedPacketsAsync(ns) > redirectedBefore, "the passthrough connection was not redirected");

        // Server-first, non-HTTP, with a client half-close: bytes are piped, nothing waits for an HTTP preface.
        Assert.Equal("hello|got:ping", await RawExchangeAsync(ns));

        // Explicit mode still works with the rules in place, also when the app dials its sidecar at the pod IP.
        Assert.Equal("app", await CurlAsync(ns, "http://127.0.0.1:15001/", "Host: posts"));
        Assert.Equal("app", await CurlAsync(ns, $"http://{pod}:15001/", "Host: posts.blog"));

        // Transparent inbound: from the root namespace to the pod's app port, redirected to the inbound listener.
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal("app", await client.GetStringAsync($"http://{pod}:{AppPort}/"));

        // Transparent inbound, not HTTP: piped to the app's port unparsed.
        Assert.Equal("echo:ping", await InboundRawAsync(ns.PodAddress, EchoPort));
        GC.KeepAlive((app, echo));
    }

    /// <summary>
    /// A TCP server in the root namespace that greets first, then reads to the client's FIN and answers; a Python
    /// client in the pod reads the greeting, sends, half-closes and reads the answer.
    /// </summary>
    private static async Task<string> RawExchangeAsync(NetworkNamespace ns)
    {
        using var listener = new System.Net.Sockets.TcpListener(ns.HostAddress, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var server = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            await stream.WriteAsync("hello\n"u8.ToArray());
            using var received = new MemoryStream();
            await stream.CopyToAsync(received);
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes("got:" + System.Text.Encoding.ASCII.GetString(received.ToArray())));
            client.Client.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        });
        var script = $$"""
            import socket
            s = socket.create_connection(("{{ns.HostAddress}}", {{port}}), timeout=10)
            greeting = s.makefile("rb").readline().decode().strip()
            s.sendall(b"ping")
            s.shutdown(socket.SHUT_WR)
            answer = b""
            while True:
                chunk = s.recv(100)
                if not chunk:
                    break
                answer += chunk
            print(greeting + "|" + answer.decode())
            """;
        var result = (await ns.ExecAsync("python3", "-c", script)).Trim();
        await server.WaitAsync(TimeSpan.FromSeconds(10));
        return result;
    }

    private static string EchoServer(string address, int port) => $$"""
        import socket
        server = socket.create_server(("{{address}}", {{port}}))
        while True:
            conn, _ = server.accept()
            data = b""
            while True:
                chunk = conn.recv(100)
                if not chunk:
                    break
                data += chunk
            conn.sendall(b"echo:" + data)
            conn.close()
        """;

    /// <summary>From the root namespace: send "ping", half-close, read the answer (retrying while the server starts).</summary>
    private static async Task<string> InboundRawAsync(System.Net.IPAddress address, int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                await client.ConnectAsync(address, port);
                var stream = client.GetStream();
                await stream.WriteAsync("ping"u8.ToArray());
                client.Client.Shutdown(System.Net.Sockets.SocketShutdown.Send);
                using var reader = new StreamReader(stream);
                var answer = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10));
                if (answer.Length > 0 || DateTime.UtcNow > deadline)
                {
                    return answer;
                }
            }
            catch (System.Net.Sockets.SocketException) when (DateTime.UtcNow < deadline)
            {
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
            }

            await Task.Delay(200);
        }
    }

    private static Process StartApp(NetworkNamespace ns, string pod)
    {
        var root = Path.Combine(Path.GetTempPath(), ns.Name);
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, "index.html"), "app");
        ns.DeleteOnDispose(root);
        return ns.Start("python3", "-m", "http.server", NetworkNamespace.Port(AppPort), "--bind", pod, "--directory", root);
    }

    private static async Task WaitForAppAsync(NetworkNamespace ns, string pod)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var (code, _, _) = await ns.TryExecAsync("curl", "-s", "-o", "/dev/null", "--max-time", "2", $"http://{pod}:{AppPort}/");
            if (code == 0)
            {
                return;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("the app did not start within 30s");
    }

    private static async Task<string> CurlAsync(NetworkNamespace ns, string url, string? header = null)
    {
        string[] args = header is null ? ["curl", "-sS", "--noproxy", "*", "--max-time", "10", url] : ["curl", "-sS", "--noproxy", "*", "--max-time", "10", "-H", header, url];
        var (code, stdout, stderr) = await ns.TryExecAsync(args);
        Assert.True(code == 0, $"curl {url} exited {code}: {stderr}");
        return stdout;
    }

    private static async Task<long> RedirectedPacketsAsync(NetworkNamespace ns)
    {
        var listing = await ns.ExecAsync("iptables", "-t", "nat", "-L", "MESHNET_OUTBOUND_REDIRECT", "-v", "-x", "-n");
        var match = RedirectCounter().Match(listing);
        Assert.True(match.Success, listing);
        return long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^\s*(\d+)\s+\d+\s+REDIRECT", RegexOptions.Multiline)]
    private static partial Regex RedirectCounter();
}
