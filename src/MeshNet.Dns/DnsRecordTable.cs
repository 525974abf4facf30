using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using MeshNet.Dns.Records;

namespace MeshNet.Dns;

/// <summary>
/// An immutable snapshot of every name the cluster DNS answers for, built from plain Service data; a new table
/// replaces the old one atomically in <see cref="DnsResponder.Update"/>. Names that exist without records (empty
/// non-terminals such as <c>svc.&lt;zone&gt;</c>) are present with no records so they answer NODATA, not NXDOMAIN.
/// </summary>
public sealed class DnsRecordTable
{
    /// <summary>The version of the Kubernetes DNS-Based Service Discovery specification implemented.</summary>
    public const string SchemaVersion = "1.1.0";

    private readonly FrozenDictionary<string, DnsRecord[]> _names;
    private readonly FrozenDictionary<string, DnsRecord[]>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    internal DnsRecordTable(DnsTableOptions options, FrozenDictionary<string, DnsRecord[]> names, SoaRecord soa, IReadOnlyList<string> errors)
    {
        Options = options;
        Zone = DnsNames.Normalize(options.Zone);
        _names = names;
        _lookup = names.GetAlternateLookup<ReadOnlySpan<char>>();
        Soa = soa;
        Errors = errors;
    }

    public DnsTableOptions Options { get; }

    /// <summary>The zone, lower case without a trailing dot.</summary>
    public string Zone { get; }

    /// <summary>Input that was skipped, one message per Service or endpoint (invalid names, duplicates).</summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>How many names exist, records or not.</summary>
    public int NameCount => _names.Count;

    internal SoaRecord Soa { get; }

    public static DnsRecordTable Empty(DnsTableOptions? options = null) => Build([], [], options);

    /// <summary>
    /// Builds the table for a set of Services. <paramref name="namespaces"/> are namespaces that exist even without
    /// Services, so <c>&lt;ns&gt;.svc.&lt;zone&gt;</c> answers NODATA for them.
    /// </summary>
    public static DnsRecordTable Build(IEnumerable<DnsService> services, IEnumerable<string>? namespaces = null, DnsTableOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        return new DnsRecordTableBuilder(options ?? DnsTableOptions.Default).Build(services, namespaces ?? []);
    }

    internal bool TryFind(ReadOnlySpan<char> name, [NotNullWhen(true)] out DnsRecord[]? records) => _lookup.TryGetValue(name, out records);

    internal bool IsInZone(ReadOnlySpan<char> name) => DnsNames.IsInZone(name, Zone);
}
