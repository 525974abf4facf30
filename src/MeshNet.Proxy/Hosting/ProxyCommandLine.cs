using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using MeshNet.Proxy.Gateway;
using MeshNet.Proxy.Telemetry.Tracing;

namespace MeshNet.Proxy.Hosting;

/// <summary>
/// Parses meshnet-proxy's flags ("--flag value" or "--flag=value"). Hand-written because the surface is small and
/// the error messages should name the flag and the expected form exactly.
/// </summary>
internal static class ProxyCommandLine
{
    public const string Usage = """
        Usage: meshnet-proxy [flags]

          --control-plane URL       control plane gRPC address (default http://127.0.0.1:15010)
          --control-plane-ca FILE   PEM bundle an https:// control plane must chain to (or env MESHNET_CONTROL_PLANE_CA);
                                    its certificate must name the URL's host and be the control plane's SPIFFE ID
          --name NAME               workload name (default: host name)
          --namespace NS            workload namespace (default "default")
          --labels k=v,k=v          workload labels
          --annotations k=v,k=v     pod annotations (meshnet.io/access-log=json turns the access log on; also env
                                    MESHNET_ANNOTATIONS, which the flag's keys override)
          --metrics on|off          request and TCP metrics and the access log (or env MESHNET_METRICS; default on)
          --service-account NAME    service account (default "default")
          --hostname NAME           the pod's spec.hostname (StatefulSet-style DNS name), with --subdomain
          --subdomain NAME          the pod's spec.subdomain: the headless Service that gives it a DNS name
          --app-address IP          where the app listens (default 127.0.0.1)
          --app-port N              the app's default port
          --port NAME=N             a named container port (repeatable)
          --inbound ADDR:PORT       inbound listener (default 127.0.0.1:15006)
          --outbound ADDR:PORT      outbound listener (default 127.0.0.1:15001)
          --admin ADDR:PORT         admin listener (default 127.0.0.1:15000)
          --admin-advertise IP:PORT admin address the control plane scrapes /metrics at (default: the bound admin address)
          --readiness-path PATH     HTTP GET probe path on the app (default: TCP connect probe)
          --probe-interval DURATION readiness probe interval, e.g. 500ms, 1s (default 1s)
          --probe-failure-threshold N  consecutive failures before a ready app turns unready (default 3)
          --dns ADDR:PORT|off       DNS proxy listener (default: outbound address, port 15053)
          --dns-upstream IP:PORT    resolver for names outside the cluster (default: /etc/resolv.conf)
          --mark N                  SO_MARK on the sidecar's own upstream sockets (default 1337, 0 = none)
          --join-token TOKEN        token the control plane certifies this sidecar with (or env MESHNET_JOIN_TOKEN);
                                    without one, mTLS is off and traffic stays plaintext
          --service-account-token-file FILE  the pod's projected ServiceAccount token, sent to Certify when no join token
                                    is given (default /var/run/secrets/meshnet.io/tokens/token when that file exists)
          --trust-domain NAME       SPIFFE trust domain (default cluster.local)
          --otlp-endpoint URL       export spans over OTLP (or env OTEL_EXPORTER_OTLP_ENDPOINT); off without one
          --otlp-protocol P         grpc or http/protobuf (or env OTEL_EXPORTER_OTLP_PROTOCOL; default grpc)
          --trace-sampling RATIO    parent-based ratio of new traces kept, 0 to 1 (or env OTEL_TRACES_SAMPLER[_ARG]; default 1)
          --expose ADDR:PORT=HOST:PORT  gateway role: a listener whose requests are routed like outbound
                                    requests to HOST:PORT, e.g. 127.0.100.1:80=frontend.blog:80 (repeatable)
          --help                    show this help

        meshnet-proxy init --help   installs the interception rules (init-container role)
        """;

    /// <summary>Where the injector mounts the projected ServiceAccount token (audience meshnet) in Kubernetes mode.</summary>
    public const string DefaultServiceAccountTokenFile = "/var/run/secrets/meshnet.io/tokens/token";

    /// <summary>Where the join token may come from instead of --join-token (keeps it out of the process list).</summary>
    public const string JoinTokenVariable = "MESHNET_JOIN_TOKEN";

    /// <summary>Where the control plane's CA bundle may come from instead of --control-plane-ca.</summary>
    public const string ControlPlaneCaVariable = "MESHNET_CONTROL_PLANE_CA";

    /// <summary>Pod annotations "k=v,k=v" (an injector can fill it from the downward API); --annotations wins per key.</summary>
    public const string AnnotationsVariable = "MESHNET_ANNOTATIONS";

    /// <summary>"off" turns request metrics, TCP counters and the access log off (as --metrics off).</summary>
    public const string MetricsVariable = "MESHNET_METRICS";

    /// <summary>Returns the options, or null with <paramref name="error"/> set; <paramref name="help"/> when --help was asked.</summary>
    public static ProxyOptions? Parse(IReadOnlyList<string> args, out string? error, out bool help)
    {
        // Variables first, so that flags given on the command line override them.
        var options = new ProxyOptions();
        foreach (var (variable, flag) in new[] { (AnnotationsVariable, "--annotations"), (MetricsVariable, "--metrics") })
        {
            if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } fromEnvironment)
            {
                options = Apply(options, ImmutableArray.CreateBuilder<NamedPort>(), flag, fromEnvironment, out error);
                if (error is not null)
                {
                    error = $"{variable}: {error}";
                    help = false;
                    return null;
                }
            }
        }

        var ports = ImmutableArray.CreateBuilder<NamedPort>();
        var exposes = ImmutableArray.CreateBuilder<ExposedListener>();
        var tracingFlags = new TracingFlags();
        error = null;
        help = false;

        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h")
            {
                help = true;
                return null;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                error = $"unexpected argument '{arg}'";
                return null;
            }

            string flag;
            string? value;
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                flag = arg[..eq];
                value = arg[(eq + 1)..];
            }
            else
            {
                flag = arg;
                value = i + 1 < args.Count ? args[++i] : null;
            }

            if (value is null)
            {
                error = $"flag '{flag}' needs a value";
                return null;
            }

            if (TracingFlags.IsTracingFlag(flag))
            {
                if (!tracingFlags.Apply(flag, value, out error))
                {
                    return null;
                }

                continue;
            }

            if (flag == "--expose")
            {
                if (ExposedListener.Parse(value, out error) is not { } exposed)
                {
                    return null;
                }

                exposes.Add(exposed);
                continue;
            }

            options = Apply(options, ports, flag, value, out error);
            if (error is not null)
            {
                return null;
            }
        }

        options = options with { Ports = ports.ToImmutable(), Exposes = exposes.ToImmutable() };
        if (options.JoinToken is null && Environment.GetEnvironmentVariable(JoinTokenVariable) is { Length: > 0 } token)
        {
            options = options with { JoinToken = token };
        }

        if (options.JoinToken is null && options.ServiceAccountTokenFile is null && File.Exists(DefaultServiceAccountTokenFile))
        {
            options = options with { ServiceAccountTokenFile = DefaultServiceAccountTokenFile };
        }

        if (tracingFlags.Resolve(Environment.GetEnvironmentVariable, out error) is not { } tracing)
        {
            return null;
        }

        options = options with { Tracing = tracing };
        if (options.ControlPlaneCa is null && Environment.GetEnvironmentVariable(ControlPlaneCaVariable) is { Length: > 0 } ca)
        {
            options = options with { ControlPlaneCa = ca };
        }

        error = DistinctListenerPorts(options) ?? ControlPlaneTransport(options);
        return error is null ? options : null;
    }

    /// <summary>A CA bundle only means something for https://; a join token never goes over plaintext off this host.</summary>
    internal static string? ControlPlaneTransport(ProxyOptions options)
    {
        if (options.ControlPlaneCa is { } ca && options.ControlPlane.Scheme != Uri.UriSchemeHttps)
        {
            return $"--control-plane-ca {ca} needs an https:// --control-plane, not {options.ControlPlane}";
        }

        if (options.ControlPlaneCa is { } file && !File.Exists(file))
        {
            return $"--control-plane-ca: {file} does not exist";
        }

        return options.HasIdentityCredential ? Discovery.ControlPlaneTrust.PlaintextTokenRefusal(options.ControlPlane) : null;
    }

    /// <summary>The listeners are told apart by local port, so two of them may not share one (0 excepted).</summary>
    internal static string? DistinctListenerPorts(ProxyOptions options)
    {
        (string Flag, int Port)[] listeners = [("--inbound", options.Inbound.Port), ("--outbound", options.Outbound.Port), ("--admin", options.Admin.Port)];
        foreach (var (flag, port) in listeners)
        {
            var clash = listeners.FirstOrDefault(l => l.Flag != flag && l.Port == port && port != 0);
            if (clash.Flag is not null)
            {
                return $"{flag} and {clash.Flag} use the same port {port}";
            }
        }

        // Gateway listeners are told apart by a connection item, so only the three fixed ports are reserved for
        // them; two of them may share a port number on different addresses (80 on each LoadBalancer address).
        var seen = new HashSet<IPEndPoint>();
        foreach (var exposed in options.Exposes)
        {
            var clash = listeners.FirstOrDefault(l => l.Port == exposed.Listen.Port && l.Port != 0);
            if (clash.Flag is not null)
            {
                return $"--expose {exposed.Listen} and {clash.Flag} use the same port {clash.Port}";
            }

            if (exposed.Listen.Port != 0 && !seen.Add(exposed.Listen))
            {
                return $"--expose {exposed.Listen} is given twice";
            }
        }

        return null;
    }

    private static ProxyOptions Apply(ProxyOptions options, ImmutableArray<NamedPort>.Builder ports, string flag, string value, out string? error)
    {
        error = null;
        switch (flag)
        {
            case "--control-plane":
                if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                {
                    error = $"--control-plane: '{value}' is not an http(s) URL";
                    return options;
                }

                return options with { ControlPlane = uri };
            case "--control-plane-ca":
                return NonEmpty(flag, value, out error) ? options with { ControlPlaneCa = value } : options;
            case "--name":
                return NonEmpty(flag, value, out error) ? options with { Name = value } : options;
            case "--namespace":
                return NonEmpty(flag, value, out error) ? options with { Namespace = value } : options;
            case "--service-account":
                return NonEmpty(flag, value, out error) ? options with { ServiceAccount = value } : options;
            case "--hostname":
                return DnsLabel(flag, value, out error) ? options with { Hostname = value } : options;
            case "--subdomain":
                return DnsLabel(flag, value, out error) ? options with { Subdomain = value } : options;
            case "--labels":
                return ParseLabels(value, out var labels, out error) ? options with { Labels = labels } : options;
            case "--annotations":
                return ParseLabels(value, out var annotations, out error, flag) ? options with { Annotations = options.Annotations.SetItems(annotations) } : options;
            case "--metrics":
                if (value is not ("on" or "off"))
                {
                    error = $"--metrics: '{value}' is not on or off";
                    return options;
                }

                return options with { Metrics = value == "on" };
            case "--admin-advertise":
                return TryEndPoint(flag, value, out var advertised, out error) ? options with { AdminAdvertise = advertised.ToString() } : options;
            case "--app-address":
                if (!IPAddress.TryParse(value, out var address))
                {
                    error = $"--app-address: '{value}' is not an IP address";
                    return options;
                }

                return options with { AppAddress = address };
            case "--app-port":
                return TryPort(flag, value, allowZero: false, out var appPort, out error) ? options with { AppPort = appPort } : options;
            case "--port":
                var sep = value.IndexOf('=', StringComparison.Ordinal);
                if (sep <= 0 || !TryPort(flag, value[(sep + 1)..], allowZero: false, out var port, out error))
                {
                    error ??= $"--port: '{value}' is not NAME=PORT";
                    return options;
                }

                ports.Add(new NamedPort(value[..sep], port));
                return options;
            case "--inbound":
                return TryEndPoint(flag, value, out var inbound, out error) ? options with { Inbound = inbound } : options;
            case "--outbound":
                return TryEndPoint(flag, value, out var outbound, out error) ? options with { Outbound = outbound } : options;
            case "--admin":
                return TryEndPoint(flag, value, out var admin, out error) ? options with { Admin = admin } : options;
            case "--readiness-path":
                if (!value.StartsWith('/'))
                {
                    error = $"--readiness-path: '{value}' must start with '/'";
                    return options;
                }

                return options with { ReadinessPath = value };
            case "--probe-interval":
                if (!TryDuration(value, out var interval) || interval <= TimeSpan.Zero)
                {
                    error = $"--probe-interval: '{value}' is not a positive duration like 500ms or 1s";
                    return options;
                }

                return options with { ProbeInterval = interval };
            case "--probe-failure-threshold":
                if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var threshold) || threshold < 1)
                {
                    error = $"--probe-failure-threshold: '{value}' is not a positive whole number";
                    return options;
                }

                return options with { ProbeFailureThreshold = threshold };
            case "--dns":
                if (value == "off")
                {
                    return options with { DnsDisabled = true, Dns = null };
                }

                return TryEndPoint(flag, value, out var dns, out error) ? options with { Dns = dns, DnsDisabled = false } : options;
            case "--dns-upstream":
                if (!TryEndPoint(flag, value, out var upstream, out error))
                {
                    return options;
                }

                if (upstream.Port == 0)
                {
                    error = $"--dns-upstream: '{value}' needs a port (1-65535)";
                    return options;
                }

                return options with { DnsUpstream = upstream };
            case "--service-account-token-file":
                return NonEmpty(flag, value, out error) ? options with { ServiceAccountTokenFile = value } : options;
            case "--join-token":
                return NonEmpty(flag, value, out error) ? options with { JoinToken = value } : options;
            case "--trust-domain":
                if (!Identity.SpiffeId.TryParse($"spiffe://{value}/ns/x/sa/x", out _))
                {
                    error = $"--trust-domain: '{value}' is not a trust domain (lower-case letters, digits, '-', '.', '_')";
                    return options;
                }

                return options with { TrustDomain = value };
            case "--mark":
                if (!TryMark(value, out var mark))
                {
                    error = $"--mark: '{value}' is not a number (decimal or 0x hex)";
                    return options;
                }

                return options with { Mark = mark };
            default:
                error = $"unknown flag '{flag}'";
                return options;
        }
    }

    private static bool NonEmpty(string flag, string value, out string? error)
    {
        error = value.Length == 0 ? $"{flag} must not be empty" : null;
        return error is null;
    }

    /// <summary>An RFC 1123 label, as Kubernetes requires of spec.hostname and spec.subdomain.</summary>
    private static bool DnsLabel(string flag, string value, out string? error)
    {
        var valid = value.Length is > 0 and <= 63
            && char.IsAsciiLetterOrDigit(value[0]) && char.IsAsciiLetterOrDigit(value[^1])
            && value.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
        error = valid ? null : $"{flag}: '{value}' is not a DNS label (lower-case letters, digits and '-', at most 63)";
        return valid;
    }

    private static bool ParseLabels(string value, out ImmutableDictionary<string, string> labels, out string? error, string flag = "--labels")
    {
        var builder = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        labels = builder.ToImmutable();
        error = null;
        foreach (var pair in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                error = $"{flag}: '{pair}' is not key=value";
                return false;
            }

            builder[pair[..eq]] = pair[(eq + 1)..];
        }

        labels = builder.ToImmutable();
        return true;
    }

    private static bool TryPort(string flag, string value, bool allowZero, out int port, out string? error)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port <= 65535 && (allowZero || port > 0))
        {
            error = null;
            return true;
        }

        error = $"{flag}: '{value}' is not a port ({(allowZero ? 0 : 1)}-65535)";
        return false;
    }

    /// <summary>"1337" or "0x539".</summary>
    internal static bool TryMark(string value, out uint mark) =>
        value.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? uint.TryParse(value.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out mark)
            : uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out mark);

    internal static bool TryEndPoint(string flag, string value, out IPEndPoint endPoint, out string? error)
    {
        endPoint = new IPEndPoint(IPAddress.Loopback, 0);
        var colon = value.LastIndexOf(':');
        if (colon <= 0 || !IPAddress.TryParse(value.AsSpan(0, colon).Trim("[]"), out var address))
        {
            error = $"{flag}: '{value}' is not ADDR:PORT";
            return false;
        }

        if (!TryPort(flag, value[(colon + 1)..], allowZero: true, out var port, out error))
        {
            return false;
        }

        endPoint = new IPEndPoint(address, port);
        return true;
    }

    /// <summary>"250ms", "1s", "2m", or a bare number of seconds.</summary>
    internal static bool TryDuration(string value, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var (number, unit) = value.EndsWith("ms", StringComparison.Ordinal) ? (value[..^2], 1.0)
            : value.EndsWith('s') ? (value[..^1], 1000.0)
            : value.EndsWith('m') ? (value[..^1], 60_000.0)
            : (value, 1000.0);
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
        {
            return false;
        }

        duration = TimeSpan.FromMilliseconds(amount * unit);
        return true;
    }
}
