using System.Globalization;

namespace MeshNet.Bench.Dataplane;

/// <summary>
/// Starts the backend and every topology side by side, each on its own loopback addresses so all stay up for the
/// whole interleaved run: backend 127.66.2.1, meshnet client sidecar 127.66.3.1 (server sidecar on the backend's pod
/// address), haproxy 127.66.4.1 -> 127.66.4.2, yarp 127.66.5.1 -> 127.66.5.2, meshnet-mtls client sidecar 127.66.6.1
/// and server sidecar 127.66.6.2 (in front of the same backend).
/// </summary>
internal sealed class Testbed(DataplaneOptions options, string workDirectory, string logDirectory) : IDisposable
{
    public const string BackendAddress = "127.66.2.1";
    public const int BackendHttpPort = 8080;
    public const int BackendH2Port = 8081;
    public const int BackendGrpcPort = 8082;
    public const string GrpcPath = "/meshnet.bench.v1.BenchService/Unary";

    private readonly List<ChildProcess> _children = [];

    public List<ProxyProcess> Backends { get; } = [];

    public List<Topology> Topologies { get; } = [];

    public Dictionary<string, string> Unavailable { get; } = [];

    public Dictionary<string, string> CommandLines { get; } = [];

    public string GrpcBodyFile => Path.Combine(workDirectory, "grpc-request.bin");

    private string? Cpus(string cpus) => options.Pin ? cpus : null;

    public async Task StartAsync()
    {
        await StartBackendsAsync();
        Topologies.Add(new Topology("direct",
            new Uri($"http://{BackendAddress}:{BackendHttpPort}/"), "backend",
            [],
            new Uri($"http://{BackendAddress}:{BackendH2Port}/"), $"{BackendAddress}:{BackendH2Port}",
            new Uri($"http://{BackendAddress}:{BackendGrpcPort}{GrpcPath}"), $"{BackendAddress}:{BackendGrpcPort}"));

        foreach (var name in options.Topologies.Where(t => t != "direct"))
        {
            try
            {
                Topologies.Add(name switch
                {
                    "meshnet" => await MeshNetTopology.StartAsync(this, options, workDirectory, MeshVariant.Plain),
                    "meshnet-mtls" => await MeshNetTopology.StartAsync(this, options, workDirectory, MeshVariant.Mutual),
                    "haproxy" => await StartHaproxyAsync(),
                    "yarp" => await StartYarpAsync(),
                    _ => throw new ArgumentException($"unknown topology {name}"),
                });
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException or FileNotFoundException or HttpRequestException)
            {
                Unavailable[name] = e.Message;
                Console.Error.WriteLine($"topology {name} unavailable: {e.Message}");
            }
        }
    }

    public ChildProcess Start(string name, string fileName, IEnumerable<string> arguments, string cpus,
        IDictionary<string, string>? environment = null)
    {
        var child = ChildProcess.Start(name, fileName, arguments, Cpus(cpus), logDirectory, environment);
        _children.Add(child);
        CommandLines[name] = child.CommandLine;
        return child;
    }

    public void Dispose()
    {
        foreach (var child in Enumerable.Reverse(_children))
        {
            child.Dispose();
        }
    }

    private async Task StartBackendsAsync()
    {
        var nginxDir = Path.Combine(workDirectory, "nginx");
        Directory.CreateDirectory(nginxDir);
        var body = new string('x', 1024);
        var config = File.ReadAllText(BinLocator.Template("backend.conf.template"))
            .Replace("__PREFIX__", nginxDir, StringComparison.Ordinal)
            .Replace("__ADDR__", BackendAddress, StringComparison.Ordinal)
            .Replace("__HTTP_PORT__", BackendHttpPort.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("__H2C_PORT__", BackendH2Port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("__BODY__", body, StringComparison.Ordinal);
        var configPath = Path.Combine(nginxDir, "nginx.conf");
        File.WriteAllText(configPath, config);
        var nginx = Start("backend-nginx", "nginx", ["-c", configPath, "-p", nginxDir], options.BackendCpus);
        await nginx.WaitForPortAsync(BackendAddress, BackendHttpPort, TimeSpan.FromSeconds(20));
        Backends.Add(new ProxyProcess("nginx", nginx));

        var grpc = Start("backend-grpc", "dotnet",
            [BinLocator.Dll("MeshNet.Bench.GrpcBackend", "meshnet-bench-grpc-backend"), "--listen", $"{BackendAddress}:{BackendGrpcPort}"],
            options.BackendCpus);
        await grpc.WaitForPortAsync(BackendAddress, BackendGrpcPort, TimeSpan.FromSeconds(30));
        Backends.Add(new ProxyProcess("grpc", grpc));

        // A gRPC message frame (flag 0, big-endian length) around BenchRequest{payload = 64 bytes}.
        byte[] message = [0x0a, 64, .. Enumerable.Repeat((byte)'a', 64)];
        byte[] frame = [0, 0, 0, 0, (byte)message.Length, .. message];
        File.WriteAllBytes(GrpcBodyFile, frame);
    }

    private async Task<Topology> StartHaproxyAsync()
    {
        const string client = "127.66.4.1", server = "127.66.4.2";
        var template = File.ReadAllText(BinLocator.Template("hop.cfg.template"));
        string Config(string name, string listen, string next, int h1In, int h1Out, int h2In, int h2Out, int grpcIn, int grpcOut)
        {
            var text = template
                .Replace("__LISTEN__", listen, StringComparison.Ordinal).Replace("__NEXT__", next, StringComparison.Ordinal)
                .Replace("__H1_IN__", $"{h1In}", StringComparison.Ordinal).Replace("__H1_OUT__", $"{h1Out}", StringComparison.Ordinal)
                .Replace("__H2_IN__", $"{h2In}", StringComparison.Ordinal).Replace("__H2_OUT__", $"{h2Out}", StringComparison.Ordinal)
                .Replace("__GRPC_IN__", $"{grpcIn}", StringComparison.Ordinal).Replace("__GRPC_OUT__", $"{grpcOut}", StringComparison.Ordinal);
            var path = Path.Combine(workDirectory, name + ".cfg");
            File.WriteAllText(path, text);
            return path;
        }
        var serverConfig = Config("haproxy-server", server, BackendAddress, 15006, BackendHttpPort, 15007, BackendH2Port, 15008, BackendGrpcPort);
        var clientConfig = Config("haproxy-client", client, server, 15001, 15006, 15002, 15007, 15003, 15008);
        var serverHop = Start("haproxy-server", "haproxy", ["-db", "-f", serverConfig], options.ProxyCpus);
        var clientHop = Start("haproxy-client", "haproxy", ["-db", "-f", clientConfig], options.ProxyCpus);
        await serverHop.WaitForPortAsync(server, 15006, TimeSpan.FromSeconds(20));
        await clientHop.WaitForPortAsync(client, 15001, TimeSpan.FromSeconds(20));
        return new Topology("haproxy", new Uri($"http://{client}:15001/"), "backend",
            [new("client", clientHop), new("server", serverHop)],
            new Uri($"http://{client}:15002/"), $"{client}:15002",
            new Uri($"http://{client}:15003{GrpcPath}"), $"{client}:15003");
    }

    private async Task<Topology> StartYarpAsync()
    {
        const string client = "127.66.5.1", server = "127.66.5.2";
        var dll = BinLocator.Dll("MeshNet.Bench.YarpBaseline", "meshnet-bench-yarp");
        // Three lanes per hop, each its own Kestrel endpoint; the h2c and gRPC routes are picked by the port in the
        // authority and forward over h2c (HTTP/2 exact), the HTTP/1.1 lane is the lower-priority catch-all.
        string[] Hop(string listen, string next, int h1In, int h1Out, int h2In, int h2Out, int grpcIn, int grpcOut)
        {
            List<string> args = [dll, "--Logging:LogLevel:Default=Warning"];
            foreach (var (lane, inPort, outPort, http2) in new[] { ("h1", h1In, h1Out, false), ("h2", h2In, h2Out, true), ("grpc", grpcIn, grpcOut, true) })
            {
                args.Add($"--Kestrel:Endpoints:{lane}:Url=http://{listen}:{inPort}");
                args.Add($"--ReverseProxy:Routes:{lane}:ClusterId={lane}");
                args.Add($"--ReverseProxy:Routes:{lane}:Match:Path={{**rest}}");
                args.Add($"--ReverseProxy:Clusters:{lane}:Destinations:d1:Address=http://{next}:{outPort}/");
                if (http2)
                {
                    args.Add($"--Kestrel:Endpoints:{lane}:Protocols=Http2");
                    args.Add($"--ReverseProxy:Routes:{lane}:Match:Hosts:0=*:{inPort}");
                    args.Add($"--ReverseProxy:Routes:{lane}:Order=0");
                    args.Add($"--ReverseProxy:Clusters:{lane}:HttpRequest:Version=2");
                    args.Add($"--ReverseProxy:Clusters:{lane}:HttpRequest:VersionPolicy=RequestVersionExact");
                }
                else
                {
                    args.Add($"--ReverseProxy:Routes:{lane}:Order=10");
                }
            }
            return [.. args];
        }
        var serverHop = Start("yarp-server", "dotnet",
            Hop(server, BackendAddress, 15006, BackendHttpPort, 15007, BackendH2Port, 15008, BackendGrpcPort), options.ProxyCpus);
        var clientHop = Start("yarp-client", "dotnet", Hop(client, server, 15001, 15006, 15002, 15007, 15003, 15008), options.ProxyCpus);
        await serverHop.WaitForPortAsync(server, 15006, TimeSpan.FromSeconds(30));
        await clientHop.WaitForPortAsync(client, 15001, TimeSpan.FromSeconds(30));
        return new Topology("yarp", new Uri($"http://{client}:15001/"), "backend",
            [new("client", clientHop), new("server", serverHop)],
            new Uri($"http://{client}:15002/"), $"{client}:15002",
            new Uri($"http://{client}:15003{GrpcPath}"), $"{client}:15003");
    }
}
