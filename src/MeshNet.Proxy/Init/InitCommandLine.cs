using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using MeshNet.Proxy.Hosting;

namespace MeshNet.Proxy.Init;

/// <summary>Parses <c>meshnet-proxy init</c> flags ("--flag value" or "--flag=value"; --remove and --dry-run take none).</summary>
internal static class InitCommandLine
{
    public const string Usage = """
        Usage: meshnet-proxy init [flags]

        Installs iptables (and, when the namespace has IPv6, ip6tables) nat rules in the current network namespace that send the pod's traffic through its
        sidecar (the init-container role). Applying twice changes nothing; --remove takes out exactly what it added.

          --inbound-port N              inbound listener port (default 15006)
          --outbound-port N             outbound listener port (default 15001)
          --dns-port N                  DNS proxy port for UDP/TCP 53 (default 15053)
          --mark N                      SO_MARK of the sidecar's own sockets, left alone (default 1337)
          --proxy-uid N                 traffic of this uid is left alone
          --proxy-gid N                 traffic of this gid is left alone
          --exclude-inbound-ports LIST  inbound ports not redirected, e.g. 15000,22
          --exclude-outbound-cidrs LIST CIDRs reached directly, e.g. 10.0.0.0/8,fd00::/8
          --remove                      remove the rules instead
          --dry-run                     print the iptables-restore input instead of applying it
        """;

    public static InitOptions? Parse(IReadOnlyList<string> args, out string? error, out bool help)
    {
        var options = new InitOptions();
        error = null;
        help = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "--help" or "-h":
                    help = true;
                    return null;
                case "--remove":
                    options = options with { Remove = true };
                    continue;
                case "--dry-run":
                    options = options with { DryRun = true };
                    continue;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                error = $"unexpected argument '{arg}'";
                return null;
            }

            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var flag = eq > 0 ? arg[..eq] : arg;
            var value = eq > 0 ? arg[(eq + 1)..] : i + 1 < args.Count ? args[++i] : null;
            if (value is null)
            {
                error = $"flag '{flag}' needs a value";
                return null;
            }

            options = Apply(options, flag, value, out error);
            if (error is not null)
            {
                return null;
            }
        }

        return options;
    }

    private static InitOptions Apply(InitOptions options, string flag, string value, out string? error)
    {
        error = null;
        switch (flag)
        {
            case "--inbound-port":
                return Port(flag, value, out var inbound, out error) ? options with { InboundPort = inbound } : options;
            case "--outbound-port":
                return Port(flag, value, out var outbound, out error) ? options with { OutboundPort = outbound } : options;
            case "--dns-port":
                return Port(flag, value, out var dns, out error) ? options with { DnsPort = dns } : options;
            case "--mark":
                if (!ProxyCommandLine.TryMark(value, out var mark))
                {
                    error = $"--mark: '{value}' is not a number (decimal or 0x hex)";
                    return options;
                }

                return options with { Mark = mark };
            case "--proxy-uid":
                return Id(flag, value, out var uid, out error) ? options with { ProxyUid = uid } : options;
            case "--proxy-gid":
                return Id(flag, value, out var gid, out error) ? options with { ProxyGid = gid } : options;
            case "--exclude-inbound-ports":
                var ports = ImmutableArray.CreateBuilder<int>();
                foreach (var item in List(value))
                {
                    if (!Port(flag, item, out var port, out error))
                    {
                        return options;
                    }

                    ports.Add(port);
                }

                return options with { ExcludeInboundPorts = ports.ToImmutable() };
            case "--exclude-outbound-cidrs":
                var cidrs = ImmutableArray.CreateBuilder<string>();
                foreach (var item in List(value))
                {
                    if (!IPNetwork.TryParse(item, out var network))
                    {
                        error = $"{flag}: '{item}' is not a CIDR like 10.0.0.0/8 or fd00::/8";
                        return options;
                    }

                    cidrs.Add(network.ToString());
                }

                return options with { ExcludeOutboundCidrs = cidrs.ToImmutable() };
            default:
                error = $"unknown flag '{flag}'";
                return options;
        }
    }

    private static string[] List(string value) => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static bool Port(string flag, string value, out int port, out string? error)
    {
        var ok = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;
        error = ok ? null : $"{flag}: '{value}' is not a port (1-65535)";
        return ok;
    }

    private static bool Id(string flag, string value, out int id, out string? error)
    {
        var ok = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out id);
        error = ok ? null : $"{flag}: '{value}' is not a numeric id";
        return ok;
    }
}
