using System.Net;
using System.Net.Http.Json;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.Json;
using MeshNet.ControlPlane.Hosting;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Tests.Identity;

/// <summary>Only callers on the control plane's own host may mint join tokens, even when the admin port listens wider.</summary>
public sealed class JoinTokenEndpointTests
{
    [Fact]
    public async Task Refuses_ACallerThatIsNotOnLoopback()
    {
        var external = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses.Select(a => a.Address))
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        if (external is null)
        {
            Console.WriteLine("Refuses_ACallerThatIsNotOnLoopback: no non-loopback IPv4 address on this machine; nothing to test");
            return;
        }

        var options = ControlPlaneOptions.Parse(["--grpc", "127.0.0.1:0", "--admin", $"{external}:0"]);
        await using var app = ControlPlaneApp.Create(options, logging: l => l.ClearProviders());
        await app.StartAsync(CancellationToken.None);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://{app.AdminEndPoint}") };

            using var response = await http.PostAsJsonAsync("/identity/tokens", new { @namespace = "blog", serviceAccount = "posts" });

            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal(
                "join tokens are issued to loopback callers only",
                (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }
    }
}
