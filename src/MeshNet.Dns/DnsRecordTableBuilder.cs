using System.Collections.Frozen;
using System.Globalization;
using MeshNet.Dns.Records;
using MeshNet.Dns.Wire;

namespace MeshNet.Dns;

/// <summary>
/// Turns Services into the records of the Kubernetes DNS-Based Service Discovery specification, schema 1.1.0:
/// §2.2 dns-version TXT, §2.3 ClusterIP A/AAAA, SRV and PTR, §2.4 headless A/AAAA, hostname, SRV and PTR records
/// over ready endpoints, §2.5 ExternalName CNAME. The deprecated pod A records (§2.6) are synthesized by the
/// responder because they exist for every address.
/// </summary>
internal sealed class DnsRecordTableBuilder
{
    /// <summary>RFC 2782 leaves priority and weight to us: equal priority, weights that share evenly.</summary>
    private const ushort SrvPriority = 0;
    private const ushort SrvTotalWeight = 100;

    private readonly DnsTableOptions _options;
    private readonly string _zone;
    private readonly uint _ttl;
    private readonly Dictionary<string, List<DnsRecord>> _names = new(StringComparer.Ordinal);
    private readonly HashSet<(string Name, DnsRecord Record)> _added = [];
    private readonly List<string> _errors = [];

    public DnsRecordTableBuilder(DnsTableOptions options)
    {
        _options = options;
        _zone = DnsNames.Normalize(options.Zone);
        if (!DnsNames.IsValidName(_zone))
        {
            throw new ArgumentException($"The zone '{options.Zone}' is not a valid domain name.", nameof(options));
        }

        _ttl = options.TtlSeconds;
    }

    public DnsRecordTable Build(IEnumerable<DnsService> services, IEnumerable<string> namespaces)
    {
        var soa = new SoaRecord($"ns.dns.{_zone}", $"hostmaster.{_zone}", _options.Serial, 7200, 1800, 86400, _ttl, _ttl);
        Add(_zone, soa);
        Add($"dns-version.{_zone}", new TxtRecord(DnsRecordTable.SchemaVersion, _ttl));
        Touch($"svc.{_zone}");
        Touch($"pod.{_zone}");

        foreach (var ns in namespaces)
        {
            if (DnsNames.IsValidLabel(ns))
            {
                Touch($"{ns.ToLowerInvariant()}.svc.{_zone}");
            }
            else
            {
                _errors.Add($"Namespace '{ns}': not a valid DNS label.");
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var service in services)
        {
            AddService(service, seen);
        }

        AddEmptyNonTerminals();
        var frozen = _names.ToFrozenDictionary(
            pair => pair.Key,
            pair => pair.Value.ToArray(),
            StringComparer.OrdinalIgnoreCase);
        return new DnsRecordTable(_options, frozen, soa, _errors.AsReadOnly());
    }

    private void AddService(DnsService service, HashSet<string> seen)
    {
        if (!DnsNames.IsValidLabel(service.Name) || !DnsNames.IsValidLabel(service.Namespace))
        {
            _errors.Add($"Service {service.Namespace}/{service.Name}: name and namespace must be DNS labels.");
            return;
        }

        var fqdn = $"{service.Name}.{service.Namespace}.svc.{_zone}".ToLowerInvariant();
        if (!seen.Add(fqdn))
        {
            _errors.Add($"Service {service.Namespace}/{service.Name}: duplicate, the first one wins.");
            return;
        }

        Touch(DnsNames.Parent(fqdn));
        if (!string.IsNullOrEmpty(service.ExternalName))
        {
            AddExternalName(service, fqdn);
        }
        else if (service.Headless)
        {
            AddHeadless(service, fqdn);
        }
        else
        {
            AddClusterIP(service, fqdn);
        }
    }

    private void AddExternalName(DnsService service, string fqdn)
    {
        var target = DnsNames.Normalize(service.ExternalName!);
        if (!DnsNames.IsValidName(target))
        {
            _errors.Add($"Service {service.Namespace}/{service.Name}: externalName '{service.ExternalName}' is not a valid domain name.");
            return;
        }

        Add(fqdn, new NameRecord(DnsRecordType.Cname, target, _ttl));
    }

    private void AddClusterIP(DnsService service, string fqdn)
    {
        Touch(fqdn);
        foreach (var ip in service.ClusterIPs.Select(DnsNames.Canonical))
        {
            Add(fqdn, new AddressRecord(ip, _ttl));
            Add(DnsNames.ReverseName(ip), new NameRecord(DnsRecordType.Ptr, fqdn, _ttl));
        }

        foreach (var port in NamedPorts(service))
        {
            Add(SrvOwner(port, fqdn), new SrvRecord(SrvPriority, SrvTotalWeight, (ushort)port.Port, fqdn, _ttl));
        }
    }

    private void AddHeadless(DnsService service, string fqdn)
    {
        var published = service.Endpoints.Where(e => e.Ready || service.PublishNotReadyAddresses).ToList();
        var targets = new List<(string Target, DnsEndpoint Endpoint)>();
        foreach (var endpoint in published)
        {
            var hostname = endpoint.Hostname?.ToLowerInvariant();
            if (hostname is not null && !DnsNames.IsValidLabel(hostname))
            {
                _errors.Add($"Service {service.Namespace}/{service.Name}: endpoint hostname '{endpoint.Hostname}' is not a DNS label.");
                continue;
            }

            foreach (var ip in endpoint.Addresses.Select(DnsNames.Canonical))
            {
                var target = $"{hostname ?? DnsNames.GeneratedHostname(ip)}.{fqdn}";
                Add(fqdn, new AddressRecord(ip, _ttl));
                Add(target, new AddressRecord(ip, _ttl));
                Add(DnsNames.ReverseName(ip), new NameRecord(DnsRecordType.Ptr, target, _ttl));
                if (!targets.Exists(t => t.Target == target))
                {
                    targets.Add((target, endpoint));
                }
            }
        }

        // No ready endpoint: the name does not exist at all (spec §2.4.1 asks for NXDOMAIN), nor do its SRV names.
        if (targets.Count == 0)
        {
            return;
        }

        var weight = (ushort)Math.Max(1, SrvTotalWeight / targets.Count);
        foreach (var port in NamedPorts(service))
        {
            foreach (var (target, endpoint) in targets)
            {
                var number = endpoint.Ports.FirstOrDefault(p => string.Equals(p.Name, port.Name, StringComparison.OrdinalIgnoreCase))?.Port ?? port.Port;
                if (number is > 0 and <= ushort.MaxValue)
                {
                    Add(SrvOwner(port, fqdn), new SrvRecord(SrvPriority, weight, (ushort)number, target, _ttl));
                }
            }
        }
    }

    private IEnumerable<DnsPort> NamedPorts(DnsService service)
    {
        foreach (var port in service.Ports)
        {
            if (string.IsNullOrEmpty(port.Name))
            {
                continue;
            }

            // One label "_<name>" has room for 62 characters.
            if (!DnsNames.IsValidLabel(port.Name) || port.Name.Length >= DnsNames.MaxLabelLength || !DnsNames.IsValidLabel(port.Protocol)
                || port.Port is <= 0 or > ushort.MaxValue)
            {
                _errors.Add($"Service {service.Namespace}/{service.Name}: port '{port.Name}' ({port.Port}/{port.Protocol}) cannot have an SRV record.");
                continue;
            }

            yield return port;
        }
    }

    private static string SrvOwner(DnsPort port, string fqdn) =>
        string.Create(CultureInfo.InvariantCulture, $"_{port.Name}._{port.Protocol}.{fqdn}").ToLowerInvariant();

    private void Add(string name, DnsRecord record)
    {
        // Records are values, so one address published twice (two endpoints, two slices) is stored once.
        if (_added.Add((name, record)))
        {
            Touch(name).Add(record);
        }
    }

    private List<DnsRecord> Touch(string name)
    {
        if (!_names.TryGetValue(name, out var records))
        {
            records = [];
            _names.Add(name, records);
        }

        return records;
    }

    /// <summary>Every ancestor of a name inside the zone exists (RFC 8020), records or not.</summary>
    private void AddEmptyNonTerminals()
    {
        foreach (var name in _names.Keys.Where(n => DnsNames.IsInZone(n, _zone)).ToList())
        {
            for (var parent = DnsNames.Parent(name); parent.Length > _zone.Length; parent = DnsNames.Parent(parent))
            {
                Touch(parent);
            }
        }
    }
}
