using System.Diagnostics;
using System.Globalization;

namespace MeshNet.Bench.Dataplane;

/// <summary>
/// The real mesh path: meshnet-control serving the bench manifests, a server sidecar in front of the backend (same
/// pod address, like a pod) and a client sidecar whose outbound listener the load generator addresses by Host.
/// </summary>
internal static class MeshNetTopology
{
    private const string ClientAddress = "127.66.3.1";

    public static async Task<Topology> StartAsync(Testbed testbed, DataplaneOptions options, string workDirectory)
    {
        var controlDll = BinLocator.Dll("MeshNet.ControlPlane", "meshnet-control");
        var proxyDll = BinLocator.Dll("MeshNet.Proxy", "meshnet-proxy");
        var manifests = Path.Combine(workDirectory, "mesh");
        Directory.CreateDirectory(manifests);
        File.Copy(BinLocator.Template("mesh.yaml"), Path.Combine(manifests, "mesh.yaml"), overwrite: true);

        // The control plane is off the request path: it shares the load generator's core and stays idle while measuring.
        var control = testbed.Start("meshnet-control", "dotnet",
            [controlDll, "--config", manifests, "--grpc", "127.0.0.1:0", "--admin", "127.0.0.1:0"], options.BackendCpus);
        var ready = await control.WaitForLineAsync(@"meshnet-control ready grpc=(\S+) admin=(\S+)", TimeSpan.FromSeconds(60));
        var controlUrl = "http://" + ready.Groups[1].Value;

        var environment = new Dictionary<string, string>(options.MeshNetEnvironment);
        var server = testbed.Start("meshnet-server-sidecar", "dotnet",
        [
            proxyDll, "--control-plane", controlUrl, "--name", "backend-0", "--namespace", "bench", "--labels", "app=backend",
            "--app-address", Testbed.BackendAddress, "--app-port", Port(Testbed.BackendHttpPort),
            "--port", $"http={Port(Testbed.BackendHttpPort)}", "--port", $"h2c={Port(Testbed.BackendH2Port)}",
            "--port", $"grpc={Port(Testbed.BackendGrpcPort)}",
            "--inbound", $"{Testbed.BackendAddress}:15006", "--outbound", $"{Testbed.BackendAddress}:15001",
            "--admin", $"{Testbed.BackendAddress}:15000",
        ], options.ProxyCpus, environment);
        var client = testbed.Start("meshnet-client-sidecar", "dotnet",
        [
            proxyDll, "--control-plane", controlUrl, "--name", "loadgen-0", "--namespace", "bench", "--labels", "app=loadgen",
            "--app-address", ClientAddress, "--app-port", "8080",
            "--inbound", $"{ClientAddress}:15006", "--outbound", $"{ClientAddress}:15001", "--admin", $"{ClientAddress}:15000",
        ], options.ProxyCpus, environment);
        const string readyLine = @"meshnet-proxy ready inbound=(\S+) outbound=(\S+) admin=(\S+)";
        await server.WaitForLineAsync(readyLine, TimeSpan.FromSeconds(60));
        var outbound = (await client.WaitForLineAsync(readyLine, TimeSpan.FromSeconds(60))).Groups[2].Value;

        var httpUrl = new Uri($"http://{outbound}/");
        await WaitForRouteAsync(httpUrl, "backend.bench", TimeSpan.FromSeconds(60));
        return new Topology("meshnet", httpUrl, "backend.bench",
            [new("client", client), new("server", server)],
            httpUrl, "backend-h2.bench",
            new Uri($"http://{outbound}{Testbed.GrpcPath}"), "backend-grpc.bench");
    }

    // Polls with a deadline: the route exists once both sidecars have ACKed a config naming the backend as ready.
    private static async Task WaitForRouteAsync(Uri url, string host, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        var last = "no answer";
        while (deadline.Elapsed < timeout)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.Host = host;
                using var response = await http.SendAsync(request);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
                last = $"{(int)response.StatusCode} {string.Join(',', response.Headers.TryGetValues("x-meshnet-error", out var e) ? e : [])}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"meshnet route to {host} via {url} not ready after {timeout.TotalSeconds:0}s: {last}");
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}
