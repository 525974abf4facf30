using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace MeshNet.Bench.Dataplane;

/// <summary>
/// One way to run the real mesh path: its topology name, manifest, and the addresses of its two sidecars.
/// <paramref name="Mtls"/> gives both sidecars join tokens, so they hold certificates and speak mTLS to each other.
/// </summary>
internal sealed record MeshVariant(string Name, string Manifest, string ClientAddress, string ServerAddress, bool Mtls)
{
    /// <summary>Plaintext between the sidecars; the server sidecar shares the backend's pod address.</summary>
    public static MeshVariant Plain { get; } = new("meshnet", "mesh.yaml", "127.66.3.1", Testbed.BackendAddress, Mtls: false);

    /// <summary>
    /// mTLS between the sidecars, in a STRICT namespace. Its server sidecar has an address of its own (it cannot share
    /// the backend's, where the plaintext variant's listeners are) and forwards to the same backend.
    /// </summary>
    public static MeshVariant Mutual { get; } = new("meshnet-mtls", "mesh-mtls.yaml", "127.66.6.1", "127.66.6.2", Mtls: true);
}

/// <summary>
/// The real mesh path: meshnet-control serving the bench manifests, a server sidecar in front of the backend (like a
/// pod's) and a client sidecar whose outbound listener the load generator addresses by Host.
/// </summary>
internal static class MeshNetTopology
{
    private const string ServiceAccount = "bench";

    public static async Task<Topology> StartAsync(Testbed testbed, DataplaneOptions options, string workDirectory, MeshVariant variant)
    {
        var controlDll = BinLocator.Dll("MeshNet.ControlPlane", "meshnet-control");
        var proxyDll = BinLocator.Dll("MeshNet.Proxy", "meshnet-proxy");
        var manifests = Path.Combine(workDirectory, variant.Name);
        Directory.CreateDirectory(manifests);
        File.Copy(BinLocator.Template(variant.Manifest), Path.Combine(manifests, "mesh.yaml"), overwrite: true);

        // The control plane is off the request path: it shares the load generator's core and stays idle while measuring.
        var prefix = variant.Name == MeshVariant.Plain.Name ? "meshnet" : variant.Name;
        var control = testbed.Start(prefix + "-control", "dotnet",
            [controlDll, "--config", manifests, "--grpc", "127.0.0.1:0", "--admin", "127.0.0.1:0"], options.BackendCpus);
        var ready = await control.WaitForLineAsync(@"meshnet-control ready grpc=(\S+) admin=(\S+)", TimeSpan.FromSeconds(60));
        var controlUrl = "http://" + ready.Groups[1].Value;

        var serverEnvironment = new Dictionary<string, string>(options.MeshNetEnvironment);
        var clientEnvironment = new Dictionary<string, string>(options.MeshNetEnvironment);
        if (variant.Mtls)
        {
            // Through the environment, so the tokens stay out of the command lines the results record.
            var admin = ready.Groups[2].Value;
            serverEnvironment[JoinTokenVariable] = await JoinTokenAsync(admin);
            clientEnvironment[JoinTokenVariable] = await JoinTokenAsync(admin);
        }

        var server = testbed.Start(prefix + "-server-sidecar", "dotnet",
        [
            proxyDll, "--control-plane", controlUrl, "--name", "backend-0", "--namespace", "bench", "--labels", "app=backend",
            "--service-account", ServiceAccount,
            "--app-address", Testbed.BackendAddress, "--app-port", Port(Testbed.BackendHttpPort),
            "--port", $"http={Port(Testbed.BackendHttpPort)}", "--port", $"h2c={Port(Testbed.BackendH2Port)}",
            "--port", $"grpc={Port(Testbed.BackendGrpcPort)}",
            "--inbound", $"{variant.ServerAddress}:15006", "--outbound", $"{variant.ServerAddress}:15001",
            "--admin", $"{variant.ServerAddress}:15000",
        ], options.ProxyCpus, serverEnvironment);
        var client = testbed.Start(prefix + "-client-sidecar", "dotnet",
        [
            proxyDll, "--control-plane", controlUrl, "--name", "loadgen-0", "--namespace", "bench", "--labels", "app=loadgen",
            "--service-account", ServiceAccount,
            "--app-address", variant.ClientAddress, "--app-port", "8080",
            "--inbound", $"{variant.ClientAddress}:15006", "--outbound", $"{variant.ClientAddress}:15001",
            "--admin", $"{variant.ClientAddress}:15000",
        ], options.ProxyCpus, clientEnvironment);
        const string readyLine = @"meshnet-proxy ready inbound=(\S+) outbound=(\S+) admin=(\S+)";
        await server.WaitForLineAsync(readyLine, TimeSpan.FromSeconds(60));
        var clientReady = await client.WaitForLineAsync(readyLine, TimeSpan.FromSeconds(60));
        var outbound = clientReady.Groups[2].Value;

        // In the STRICT namespace a route that answers proves the hop is mTLS: the server sidecar closes plaintext.
        var httpUrl = new Uri($"http://{outbound}/");
        await WaitForRouteAsync(httpUrl, "backend.bench", TimeSpan.FromSeconds(60));
        if (variant.Mtls)
        {
            await RequireCertificateAsync(clientReady.Groups[3].Value);
        }
        return new Topology(variant.Name, httpUrl, "backend.bench",
            [new("client", client), new("server", server)],
            httpUrl, "backend-h2.bench",
            new Uri($"http://{outbound}{Testbed.GrpcPath}"), "backend-grpc.bench");
    }

    private const string JoinTokenVariable = "MESHNET_JOIN_TOKEN";

    /// <summary>A join token for bench/bench from the control plane's loopback admin API, as `meshctl token create` gets one.</summary>
    private static async Task<string> JoinTokenAsync(string admin)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.PostAsJsonAsync($"http://{admin}/identity/tokens",
            new { @namespace = "bench", serviceAccount = ServiceAccount, ttl = "24h" });
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("token").GetString()
            ?? throw new InvalidOperationException("the control plane's token reply has no token");
    }

    /// <summary>Fails the topology when the client sidecar holds no certificate: its numbers would not be mTLS's.</summary>
    private static async Task RequireCertificateAsync(string admin)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var certs = await http.GetStringAsync($"http://{admin}/certs");
        if (!certs.Contains("spiffe://", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"meshnet-mtls client sidecar holds no certificate: {certs}");
        }
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
        throw new TimeoutException($"{url} route to {host} not ready after {timeout.TotalSeconds:0}s: {last}");
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}
