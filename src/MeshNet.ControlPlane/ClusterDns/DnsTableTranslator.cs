using System.Globalization;
using System.Net;
using MeshNet.Dns;
using MeshNet.Protocol.V1;

namespace MeshNet.ControlPlane.ClusterDns;

/// <summary>Turns the streamed DNS messages into a <see cref="DnsRecordTable"/>; addresses that do not parse are skipped.</summary>
internal static class DnsTableTranslator
{
    public static DnsRecordTable Build(IReadOnlyList<Protocol.V1.DnsService> services, DnsZone zone, long serial)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(zone);
        var options = new DnsTableOptions
        {
            Zone = zone.Zone.Length > 0 ? zone.Zone : DnsTableOptions.Default.Zone,
            // The SOA serial is 32 bits; versions only need to differ between tables in a resolver's cache lifetime.
            Serial = unchecked((uint)serial),
        };
        return DnsRecordTable.Build(services.Select(Translate), zone.Namespaces, options);
    }

    private static MeshNet.Dns.DnsService Translate(Protocol.V1.DnsService service) =>
        new(service.Name, service.Namespace)
        {
            ClusterIPs = Addresses(service.ClusterIps),
            Ports = [.. service.Ports.Select(Translate)],
            Headless = service.Headless,
            ExternalName = service.ExternalName.Length > 0 ? service.ExternalName : null,
            PublishNotReadyAddresses = service.PublishNotReadyAddresses,
            Endpoints = [.. service.Endpoints.Select(e => new MeshNet.Dns.DnsEndpoint(Addresses(e.Addresses))
            {
                Hostname = e.Hostname.Length > 0 ? e.Hostname : null,
                Ready = e.Ready,
                Ports = [.. e.Ports.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new MeshNet.Dns.DnsPort(p.Key, (int)p.Value))],
            })],
        };

    private static MeshNet.Dns.DnsPort Translate(Protocol.V1.DnsPort port) =>
        new(port.Name.Length > 0 ? port.Name : null, (int)port.Port, port.Protocol.Length > 0 ? port.Protocol.ToUpper(CultureInfo.InvariantCulture) : "TCP");

    private static IPAddress[] Addresses(IEnumerable<string> values) =>
        [.. values.Select(v => IPAddress.TryParse(v, out var ip) ? ip : null).OfType<IPAddress>()];
}
