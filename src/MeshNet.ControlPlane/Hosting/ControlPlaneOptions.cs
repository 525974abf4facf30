using System.Globalization;
using System.Net;
using MeshNet.ControlPlane.Allocation;
using MeshNet.ControlPlane.Identity;
using MeshNet.ControlPlane.Injection;
using MeshNet.ControlPlane.Stats;
using MeshNet.ControlPlane.Tracking;
using MeshNet.ControlPlane.Transport;
using MeshNet.Model;

namespace MeshNet.ControlPlane.Hosting;

/// <summary>meshnet-control's command line.</summary>
/// <param name="ConfigDirectory">Manifest directory (universal mode); null runs with sidecar registrations only.</param>
internal sealed record ControlPlaneOptions(
    string? ConfigDirectory,
    IPEndPoint Grpc,
    IPEndPoint Admin,
    DebounceOptions Debounce,
    string ClusterDomain,
    TimeSpan ResyncGrace)
{
    /// <summary>Service CIDRs, node port range, load balancer pool and state directory.</summary>
    public AllocationOptions Allocation { get; init; } = AllocationOptions.Default;

    /// <summary>Where the cluster DNS listens (UDP and TCP); null serves no DNS.</summary>
    public IPEndPoint? Dns { get; init; }

    /// <summary>Where the cluster DNS forwards names outside the zone; null takes the first nameserver of /etc/resolv.conf.</summary>
    public IPEndPoint? DnsUpstream { get; init; }

    /// <summary>The CA: trust domain, leaf lifetime, CA files.</summary>
    public IdentityOptions Identity { get; init; } = IdentityOptions.Default;

    /// <summary>How often sidecars' /metrics are scraped for /debug/stat and /debug/edges.</summary>
    public StatsOptions Stats { get; init; } = StatsOptions.Default;

    /// <summary>TLS on the gRPC port: who may still use plaintext, and the serving certificate's names.</summary>
    public GrpcTransportOptions Transport { get; init; } = GrpcTransportOptions.Default;

    /// <summary>--kubernetes: resources from the API server instead of --config, sidecar tokens checked with TokenReview.</summary>
    public KubernetesModeOptions Kubernetes { get; init; } = KubernetesModeOptions.Default;

    /// <summary>The sidecar-injection webhook (HTTPS listener, certificate, injected images).</summary>
    public WebhookOptions Webhook { get; init; } = WebhookOptions.Default;

    public const string Usage =
        "usage: meshnet-control [--config DIR | --kubernetes [--kubeconfig FILE] [--token-audience meshnet] [--ca-secret meshnet-ca]] [--grpc ADDR:PORT] [--admin ADDR:PORT] " +
        "[--debounce-quiet 100ms] [--debounce-max 1s] [--cluster-domain cluster.local] [--resync-grace 6s] " +
        "[--service-cidr 10.96.0.0/16[,IPV6-CIDR]] [--node-port-range 30000-32767] [--load-balancer-cidr 127.0.100.0/24] (universal mode only: --kubernetes takes the API server's) [--state-dir DIR] [--dns ADDR:PORT] [--dns-upstream ADDR:PORT] " +
        "[--trust-domain cluster.local] [--cert-ttl 24h] [--ca-cert FILE --ca-key FILE] [--ca-bundle-extra FILE] [--grpc-plaintext loopback|any|none] [--grpc-tls-san NAME|IP,...] [--pod-namespace NS] [--stats-interval 5s] [--webhook ADDR:PORT [--webhook-cert FILE --webhook-key FILE | --webhook-configuration NAME]] [--proxy-image IMAGE] [--proxy-init-image IMAGE] [--sidecar-control-plane URL]";

    public static ControlPlaneOptions Default { get; } = new(
        null,
        new IPEndPoint(IPAddress.Loopback, 15010),
        new IPEndPoint(IPAddress.Loopback, 15014),
        DebounceOptions.Default,
        MeshNames.DefaultClusterDomain,
        TimeSpan.FromSeconds(6));

    /// <exception cref="FormatException">With a message naming the flag when an argument is unknown or malformed.</exception>
    public static ControlPlaneOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = Default;
        var given = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var flag = eq > 0 ? arg[..eq] : arg;
            given.Add(flag);
            string Value()
            {
                if (eq > 0)
                {
                    return arg[(eq + 1)..];
                }

                if (i + 1 >= args.Count)
                {
                    throw new FormatException($"{flag}: missing value");
                }

                return args[++i];
            }

            options = flag switch
            {
                "--config" => options with { ConfigDirectory = Value() },
                "--grpc" => options with { Grpc = ParseEndPoint(flag, Value()) },
                "--admin" => options with { Admin = ParseEndPoint(flag, Value()) },
                "--debounce-quiet" => options with { Debounce = options.Debounce with { Quiet = ParseDuration(flag, Value()) } },
                "--debounce-max" => options with { Debounce = options.Debounce with { MaxDelay = ParseDuration(flag, Value()) } },
                "--cluster-domain" => options with { ClusterDomain = ParseDomain(flag, Value()) },
                "--resync-grace" => options with { ResyncGrace = ParseDuration(flag, Value()) },
                "--service-cidr" => options with { Allocation = options.Allocation with { ServiceCidrs = AllocationOptions.ParseCidrs(flag, Value()) } },
                "--load-balancer-cidr" => options with { Allocation = options.Allocation with { LoadBalancerCidr = ServiceCidr.Parse(flag, Value()) } },
                "--node-port-range" => WithNodePorts(options, AllocationOptions.ParsePortRange(flag, Value())),
                "--state-dir" => options with { Allocation = options.Allocation with { StateDirectory = NonEmpty(flag, Value()) } },
                "--dns" => options with { Dns = ParseEndPoint(flag, Value()) },
                "--dns-upstream" => options with { DnsUpstream = ParseEndPoint(flag, Value()) },
                "--trust-domain" => options with { Identity = options.Identity with { TrustDomain = ParseTrustDomain(flag, Value()) } },
                "--cert-ttl" => options with { Identity = options.Identity with { CertTtl = ParseCertTtl(flag, Value()) } },
                "--ca-cert" => options with { Identity = options.Identity with { CaCertFile = NonEmpty(flag, Value(), "a file") } },
                "--ca-key" => options with { Identity = options.Identity with { CaKeyFile = NonEmpty(flag, Value(), "a file") } },
                "--ca-bundle-extra" => options with { Identity = options.Identity with { CaBundleExtraFile = NonEmpty(flag, Value(), "a file") } },
                "--stats-interval" => options with { Stats = options.Stats with { Interval = ParseDuration(flag, Value()) } },
                "--grpc-plaintext" => options with { Transport = options.Transport with { Plaintext = GrpcTransportOptions.ParsePlaintext(flag, Value()) } },
                "--grpc-tls-san" => options with { Transport = options.Transport with { ExtraNames = [.. options.Transport.ExtraNames, .. GrpcTransportOptions.ParseNames(flag, Value())] } },
                "--pod-namespace" => options with { Transport = options.Transport with { Namespace = ParseDomain(flag, Value()) } },
                "--kubernetes" => options with { Kubernetes = options.Kubernetes with { Enabled = true } },
                "--kubeconfig" => options with { Kubernetes = options.Kubernetes with { Kubeconfig = NonEmpty(flag, Value(), "a file") } },
                "--ca-secret" => options with { Kubernetes = options.Kubernetes with { CaSecret = ParseSecretName(flag, Value()) } },
                "--token-audience" => options with { Kubernetes = options.Kubernetes with { TokenAudiences = KubernetesModeOptions.ParseAudiences(flag, Value()) } },
                "--webhook" => options with { Webhook = options.Webhook with { Listen = ParseEndPoint(flag, Value()) } },
                "--webhook-cert" => options with { Webhook = options.Webhook with { CertFile = NonEmpty(flag, Value(), "a file") } },
                "--webhook-key" => options with { Webhook = options.Webhook with { KeyFile = NonEmpty(flag, Value(), "a file") } },
                "--webhook-configuration" => options with { Webhook = options.Webhook with { ConfigurationName = NonEmpty(flag, Value(), "a name") } },
                "--proxy-image" => options with { Webhook = options.Webhook with { Injection = options.Webhook.Injection with { ProxyImage = WebhookOptions.ParseImage(flag, Value()) } } },
                "--proxy-init-image" => options with { Webhook = options.Webhook with { Injection = options.Webhook.Injection with { InitImage = WebhookOptions.ParseImage(flag, Value()) } } },
                "--sidecar-control-plane" => options with { Webhook = options.Webhook with { Injection = options.Webhook.Injection with { ControlPlane = WebhookOptions.ParseUrl(flag, Value()) } } },
                _ => throw new FormatException($"{flag}: unknown flag"),
            };
        }

        if (options.Kubernetes.Conflict(options.ConfigDirectory) is { } conflict)
        {
            throw new FormatException(conflict);
        }

        if (options.Kubernetes.Enabled)
        {
            options = options with { Kubernetes = options.Kubernetes with { IgnoredFlags = [.. KubernetesModeOptions.UniversalOnlyFlags.Where(given.Contains)] } };
        }

        if (options.Debounce.MaxDelay < options.Debounce.Quiet)
        {
            throw new FormatException("--debounce-max: must not be shorter than --debounce-quiet");
        }

        options.Webhook.Validate();
        if ((options.Identity.CaCertFile is null) != (options.Identity.CaKeyFile is null))
        {
            throw new FormatException("--ca-cert and --ca-key go together");
        }

        return options;
    }

    /// <summary>"127.0.0.1:15010", "[::1]:0" or "localhost:15010" (loopback).</summary>
    public static IPEndPoint ParseEndPoint(string flag, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase))
        {
            value = "127.0.0.1" + value["localhost".Length..];
        }

        var colon = value.LastIndexOf(':');
        if (colon <= 0 || !IPEndPoint.TryParse(value, out var endPoint) || value[(colon + 1)..].Length == 0)
        {
            throw new FormatException($"{flag}: expected ADDR:PORT, got \"{value}\"");
        }

        return endPoint;
    }

    /// <summary>A non-negative duration with a unit: "250ms", "1s", "1.5s", "2m".</summary>
    public static TimeSpan ParseDuration(string flag, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        (string Suffix, double Milliseconds)[] units = [("ms", 1), ("s", 1000), ("m", 60_000)];
        foreach (var (suffix, milliseconds) in units)
        {
            if (value.EndsWith(suffix, StringComparison.Ordinal) &&
                double.TryParse(value[..^suffix.Length], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            {
                return TimeSpan.FromMilliseconds(amount * milliseconds);
            }
        }

        throw new FormatException($"{flag}: expected a duration with a unit (ms, s, m), got \"{value}\"");
    }

    private static ControlPlaneOptions WithNodePorts(ControlPlaneOptions options, (int Min, int Max) range) =>
        options with { Allocation = options.Allocation with { NodePortMin = range.Min, NodePortMax = range.Max } };

    private static string NonEmpty(string flag, string value, string what = "a directory") =>
        value.Length > 0 ? value : throw new FormatException($"{flag}: expected {what}");

    /// <summary>A Secret's name: an RFC 1123 subdomain (lower-case letters, digits, '-' and '.'; at most 253).</summary>
    private static string ParseSecretName(string flag, string value) =>
        value.Length is > 0 and <= 253 && value.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.') && char.IsAsciiLetterOrDigit(value[0]) && char.IsAsciiLetterOrDigit(value[^1])
            ? value
            : throw new FormatException($"{flag}: expected a Secret name (lower-case letters, digits, '-', '.'), got \"{value}\"");

    private static string ParseTrustDomain(string flag, string value) =>
        SpiffeId.IsValidTrustDomain(value)
            ? value
            : throw new FormatException($"{flag}: expected a trust domain (lower-case letters, digits, '.', '-', '_'), got \"{value}\"");

    private static TimeSpan ParseCertTtl(string flag, string value)
    {
        var ttl = IdentityDurations.Parse(flag, value);
        return ttl >= IdentityOptions.MinimumCertTtl ? ttl : throw new FormatException($"{flag}: must be at least 1m, got \"{value}\"");
    }

    private static string ParseDomain(string flag, string value)
    {
        var domain = value.Trim('.');
        if (domain.Length == 0 || domain.Contains(' ', StringComparison.Ordinal))
        {
            throw new FormatException($"{flag}: expected a DNS domain, got \"{value}\"");
        }

        return domain;
    }
}
