using System.Collections.Immutable;
using System.Net;
using System.Net.Http.Json;

namespace MeshNet.Cli.Local.Gateway;

/// <summary>
/// NodePort and LoadBalancer Services on this machine: a meshnet-proxy in the root namespace in gateway role (no
/// app, so never an endpoint; explicit mode, routing by Host) and, per Service port, a listener that hands
/// connections to it naming the Service. Node ports listen on 127.0.0.1 only (this machine exposes nothing);
/// each LoadBalancer Service gets its own loopback address as its EXTERNAL-IP.
/// </summary>
internal sealed class MeshGateway : IDisposable
{
    public const string Name = "meshnet-gateway";
    public const string Namespace = "default";

    private readonly List<HostRewritingForwarder> _forwarders = [];

    private MeshGateway()
    {
    }

    public IReadOnlyList<ExposedService> Services { get; private set; } = [];

    /// <param name="network">Loopback network for the gateway: .254 is the gateway sidecar, .1 on external addresses.</param>
    public static async Task<MeshGateway> StartAsync(LocalMesh mesh, HttpClient http, IPAddress network, TimeProvider time, CancellationToken cancellationToken)
    {
        var bytes = network.GetAddressBytes();
        var sidecar = new SidecarSettings(
            new PodIdentity(Name, Namespace, new IPAddress([bytes[0], bytes[1], bytes[2], 254]).ToString(), "default", ImmutableSortedDictionary<string, string>.Empty),
            PodPlanner.DefaultAppPort,
            [],
            null);
        await mesh.StartSidecarAsync(sidecar, cancellationToken).ConfigureAwait(false);
        await new MeshReadiness(http, mesh.ControlPlaneAdmin, time).WaitForSidecarConfigAsync(sidecar.AdminUrl, TimeSpan.FromMinutes(1), cancellationToken)
            .ConfigureAwait(false);

        var services = await http.GetFromJsonAsync(new Uri(mesh.ControlPlaneAdmin, "/debug/services"), AdminJsonContext.Default.ListServiceStatus, cancellationToken)
            .ConfigureAwait(false) ?? [];
        var upstream = new IPEndPoint(IPAddress.Parse(sidecar.Pod.Address), SidecarSettings.OutboundPort);
        var gateway = new MeshGateway();
        try
        {
            var exposed = new List<ExposedService>();
            var external = 0;
            foreach (var service in services.Where(s => s.IsNodePort))
            {
                IPAddress? externalAddress = service.IsLoadBalancer ? new IPAddress([bytes[0], bytes[1], bytes[2], (byte)(1 + external++)]) : null;
                foreach (var port in service.Ports.Where(p => p.Protocol == "TCP"))
                {
                    var host = $"{service.Name}.{service.Namespace}:{port.Port}";
                    var nodePort = port.NodePort is { } n ? gateway.Listen(new IPEndPoint(IPAddress.Loopback, n), upstream, host) : null;
                    var lb = externalAddress is not null ? gateway.Listen(new IPEndPoint(externalAddress, port.Port), upstream, host) : null;
                    exposed.Add(new ExposedService(service, port, nodePort, lb));
                }
            }

            gateway.Services = exposed;
            return gateway;
        }
        catch
        {
            gateway.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var forwarder in _forwarders)
        {
            forwarder.Dispose();
        }
    }

    private IPEndPoint Listen(IPEndPoint listen, IPEndPoint upstream, string host)
    {
        var forwarder = new HostRewritingForwarder(listen, upstream, host);
        _forwarders.Add(forwarder);
        return forwarder.Endpoint;
    }
}

/// <summary>One Service port the gateway serves: on a node port, on an external address, or both.</summary>
internal sealed record ExposedService(ServiceStatus Service, ServicePortStatus Port, IPEndPoint? NodePort, IPEndPoint? External);
