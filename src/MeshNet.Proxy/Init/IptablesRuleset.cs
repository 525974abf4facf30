using System.Globalization;
using System.Text;

namespace MeshNet.Proxy.Init;

/// <summary>
/// The nat rules of <c>meshnet-proxy init</c> as iptables-restore input, after the istio-init layout: our own
/// chains, reached by one jump each from PREROUTING and OUTPUT, so removal touches nothing else. Applied with
/// <c>iptables-restore --noflush</c>: declaring our chains flushes and refills them in one transaction, and the
/// jumps are added only when absent, so applying twice leaves iptables-save unchanged.
/// </summary>
internal static class IptablesRuleset
{
    public const string Prerouting = "MESHNET_PREROUTING";
    public const string Output = "MESHNET_OUTPUT";
    public const string InboundRedirect = "MESHNET_INBOUND_REDIRECT";
    public const string OutboundRedirect = "MESHNET_OUTBOUND_REDIRECT";
    public const string DnsRedirect = "MESHNET_DNS_REDIRECT";

    public static IReadOnlyList<string> Chains { get; } = [Prerouting, InboundRedirect, Output, OutboundRedirect, DnsRedirect];

    /// <summary>The jumps into our chains, as iptables-save prints them.</summary>
    public static IReadOnlyList<string> Jumps { get; } = [$"-A PREROUTING -j {Prerouting}", $"-A OUTPUT -j {Output}"];

    /// <summary>
    /// What to feed iptables-restore (or ip6tables-restore when <paramref name="ipv6"/>) to install;
    /// <paramref name="existing"/> is the current nat table as the matching -save prints it.
    /// </summary>
    public static string Install(InitOptions options, string existing, bool ipv6 = false)
    {
        var lines = new List<string> { "*nat" };
        lines.AddRange(Chains.Select(c => $":{c} - [0:0]"));
        lines.Add(Format("-A {0} -p tcp -j REDIRECT --to-ports {1}", InboundRedirect, options.InboundPort));
        lines.Add(Format("-A {0} -p tcp -j REDIRECT --to-ports {1}", OutboundRedirect, options.OutboundPort));
        lines.Add(Format("-A {0} -p udp -j REDIRECT --to-ports {1}", DnsRedirect, options.DnsPort));
        lines.Add(Format("-A {0} -p tcp -j REDIRECT --to-ports {1}", DnsRedirect, options.DnsPort));

        // Inbound: everything but the excluded ports (and our own inbound port, which a peer sidecar dials directly).
        foreach (var port in options.ExcludeInboundPorts.Prepend(options.InboundPort).Distinct())
        {
            lines.Add(Format("-A {0} -p tcp -m tcp --dport {1} -j RETURN", Prerouting, port));
        }

        lines.Add(Format("-A {0} -p tcp -j {1}", Prerouting, InboundRedirect));

        // Outbound: the sidecar's own traffic first (marked, or its uid/gid), then DNS (any destination, loopback
        // included: a stub resolver on 127.0.0.53 is still cluster DNS here), then loopback and excluded ranges.
        if (options.Mark != 0)
        {
            lines.Add(Format("-A {0} -m mark --mark 0x{1:x} -j RETURN", Output, options.Mark));
        }

        if (options.ProxyUid is { } uid)
        {
            lines.Add(Format("-A {0} -m owner --uid-owner {1} -j RETURN", Output, uid));
        }

        if (options.ProxyGid is { } gid)
        {
            lines.Add(Format("-A {0} -m owner --gid-owner {1} -j RETURN", Output, gid));
        }

        lines.Add(Format("-A {0} -p udp -m udp --dport 53 -j {1}", Output, DnsRedirect));
        lines.Add(Format("-A {0} -p tcp -m tcp --dport 53 -j {1}", Output, DnsRedirect));
        lines.Add(Format("-A {0} -d {1} -j RETURN", Output, ipv6 ? "::1/128" : "127.0.0.0/8"));
        foreach (var cidr in options.ExcludeOutboundCidrs.Where(c => c.Contains(':', StringComparison.Ordinal) == ipv6))
        {
            lines.Add(Format("-A {0} -d {1} -j RETURN", Output, cidr));
        }

        lines.Add(Format("-A {0} -p tcp -j {1}", Output, OutboundRedirect));

        var present = RuleLines(existing);
        lines.AddRange(Jumps.Where(j => !present.Contains(j)));
        lines.Add("COMMIT");
        return Join(lines);
    }

    /// <summary>What to feed iptables-restore to remove our jumps and chains, and only those that exist.</summary>
    public static string Remove(string existing)
    {
        var present = RuleLines(existing);
        var chains = ChainNames(existing);
        var ours = Chains.Where(chains.Contains).ToList();
        var lines = new List<string> { "*nat" };
        lines.AddRange(Jumps.Where(present.Contains).Select(j => "-D" + j[2..]));
        // Flush all before deleting any: our chains jump to each other.
        lines.AddRange(ours.Select(c => "-F " + c));
        lines.AddRange(ours.Select(c => "-X " + c));
        lines.Add("COMMIT");
        return Join(lines);
    }

    /// <summary>Rule lines of iptables-save output, e.g. "-A OUTPUT -j MESHNET_OUTPUT".</summary>
    private static HashSet<string> RuleLines(string save) =>
        save.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("-A ", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);

    private static HashSet<string> ChainNames(string save) =>
        save.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith(':')).Select(l => l[1..].Split(' ')[0]).ToHashSet(StringComparer.Ordinal);

    private static string Join(List<string> lines)
    {
        var text = new StringBuilder();
        foreach (var line in lines)
        {
            text.Append(line).Append('\n');
        }

        return text.ToString();
    }

    private static string Format(string format, params object[] args) => string.Format(CultureInfo.InvariantCulture, format, args);
}
