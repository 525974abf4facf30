using System.Globalization;
using System.Net;
using MeshNet.Dns;
using MeshNet.Proxy.Configuration;
using Proto = MeshNet.Protocol.V1;

namespace MeshNet.Proxy.ClusterDns;

/// <summary>
/// Maps the streamed DNS resources to MeshNet.Dns services and builds the record table. Anything the table
/// builder would skip (a bad address, a name that is not a DNS label) is a NACK instead: silently answering less
/// than the control plane sent would make a wrong answer look like a right one.
/// </summary>
internal static class DnsTableTranslator
{
    public const string DefaultZone = "cluster.local";

    public static DnsRecordTable? TryBuild(ProxySnapshot snapshot, out string? error)
    {
        var services = new List<DnsService>(snapshot.DnsServices.Count);
        foreach (var proto in snapshot.DnsServices.Values.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            var service = TryMap(proto, out error);
            if (service is null)
            {
                return null;
            }

            services.Add(service);
        }

        var zone = snapshot.DnsZone is { Zone.Length: > 0 } z ? z.Zone : DefaultZone;
        var options = new DnsTableOptions { Zone = zone, Serial = Serial(snapshot.Version) };
        DnsRecordTable table;
        try
        {
            table = DnsRecordTable.Build(services, snapshot.DnsZone?.Namespaces ?? [], options);
        }
        catch (ArgumentException ex)
        {
            error = $"dns zone \"{zone}\": {ex.Message}";
            return null;
        }

        error = table.Errors.Count > 0 ? "dns: " + table.Errors[0] : null;
        return error is null ? table : null;
    }

    /// <summary>One proto DnsService as MeshNet.Dns sees it, or null with the reason.</summary>
    public static DnsService? TryMap(Proto.DnsService proto, out string? error)
    {
        var expectedKey = $"{proto.Namespace}/{proto.Name}";
        if (proto.Key != expectedKey)
        {
            error = $"dns service \"{proto.Key}\": key must be \"{expectedKey}\" (namespace/name)";
            return null;
        }

        var clusterIPs = new List<IPAddress>(proto.ClusterIps.Count);
        foreach (var text in proto.ClusterIps)
        {
            if (!IPAddress.TryParse(text, out var ip))
            {
                error = $"dns service \"{proto.Key}\": cluster_ips \"{text}\" is not an IP address";
                return null;
            }

            clusterIPs.Add(ip);
        }

        var ports = new List<DnsPort>(proto.Ports.Count);
        foreach (var port in proto.Ports)
        {
            if (port.Port is 0 or > 65535)
            {
                error = $"dns service \"{proto.Key}\": port \"{port.Name}\" {port.Port} is out of range 1-65535";
                return null;
            }

            ports.Add(new DnsPort(port.Name.Length == 0 ? null : port.Name, (int)port.Port, port.Protocol.Length == 0 ? "TCP" : port.Protocol));
        }

        var endpoints = new List<DnsEndpoint>(proto.Endpoints.Count);
        for (var i = 0; i < proto.Endpoints.Count; i++)
        {
            var endpoint = TryMapEndpoint(proto.Key, i, proto.Endpoints[i], out error);
            if (endpoint is null)
            {
                return null;
            }

            endpoints.Add(endpoint);
        }

        error = null;
        return new DnsService(proto.Name, proto.Namespace)
        {
            ClusterIPs = clusterIPs,
            Headless = proto.Headless,
            ExternalName = proto.ExternalName.Length == 0 ? null : proto.ExternalName,
            PublishNotReadyAddresses = proto.PublishNotReadyAddresses,
            Ports = ports,
            Endpoints = endpoints,
        };
    }

    private static DnsEndpoint? TryMapEndpoint(string key, int index, Proto.DnsEndpoint proto, out string? error)
    {
        var addresses = new List<IPAddress>(proto.Addresses.Count);
        foreach (var text in proto.Addresses)
        {
            if (!IPAddress.TryParse(text, out var ip))
            {
                error = string.Create(CultureInfo.InvariantCulture, $"dns service \"{key}\": endpoint {index} address \"{text}\" is not an IP address");
                return null;
            }

            addresses.Add(ip);
        }

        var ports = new List<DnsPort>(proto.Ports.Count);
        foreach (var (name, number) in proto.Ports.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (number is 0 or > 65535)
            {
                error = string.Create(CultureInfo.InvariantCulture, $"dns service \"{key}\": endpoint {index} port \"{name}\" {number} is out of range 1-65535");
                return null;
            }

            ports.Add(new DnsPort(name, (int)number));
        }

        error = null;
        return new DnsEndpoint(addresses)
        {
            Hostname = proto.Hostname.Length == 0 ? null : proto.Hostname,
            Ready = proto.Ready,
            Ports = ports,
        };
    }

    /// <summary>The SOA serial: the version when it is a number (the control plane's are), else a stable hash.</summary>
    private static uint Serial(string version)
    {
        if (uint.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var serial))
        {
            return serial;
        }

        var hash = 2166136261u;
        foreach (var c in version)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }
}
