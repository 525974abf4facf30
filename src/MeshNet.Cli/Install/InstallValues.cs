using System.Globalization;
using MeshNet.Kubernetes.Injection;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MeshNet.Cli.Install;

/// <summary>
/// The chart's values (charts/meshnet/values.yaml), with the same keys and defaults, for <c>meshctl install</c>:
/// set from a values file (<c>--values</c>) and <c>--set key=value</c>, dotted keys as Helm's. An unknown key is an
/// error rather than silently ignored, so a typo does not install the defaults.
/// </summary>
internal sealed record InstallValues
{
    public string Namespace { get; init; } = "meshnet-system";

    public string ClusterDomain { get; init; } = "cluster.local";

    public string ControlPlaneImage { get; init; } = "ghcr.io/meshnet/control:" + Version;

    public int ControlPlaneReplicas { get; init; } = 2;

    public string ControlPlaneCpuRequest { get; init; } = "100m";

    public string ControlPlaneMemoryRequest { get; init; } = "128Mi";

    public string ControlPlaneMemoryLimit { get; init; } = "512Mi";

    public string ProxyImage { get; init; } = InjectionSettings.Default.ProxyImage;

    public string ProxyInitImage { get; init; } = InjectionSettings.Default.InitImage;

    public string ImagePullPolicy { get; init; } = "IfNotPresent";

    public string TrustDomain { get; init; } = InjectionSettings.Default.TrustDomain;

    /// <summary>A kubernetes.io/tls Secret with the mesh CA (tls.crt, tls.key), shared by every replica.</summary>
    public string CaSecret { get; init; } = "meshnet-ca";

    public string WebhookFailurePolicy { get; init; } = "Fail";

    public int WebhookTimeoutSeconds { get; init; } = 10;

    public bool CertManagerEnabled { get; init; }

    /// <summary>An existing cert-manager Issuer for the webhook certificate; empty renders a self-signed one.</summary>
    public string CertManagerIssuer { get; init; } = string.Empty;

    public const string Version = InjectionSettings.DefaultVersion;

    public static InstallValues Default { get; } = new();

    /// <summary>Every key, as Helm spells it, with how it is set and read back.</summary>
    private static readonly (string Key, Func<InstallValues, string, InstallValues> Set, Func<InstallValues, string> Get)[] Keys =
    [
        ("clusterDomain", (v, s) => v with { ClusterDomain = s }, v => v.ClusterDomain),
        ("controlPlane.image", (v, s) => v with { ControlPlaneImage = s }, v => v.ControlPlaneImage),
        ("controlPlane.replicas", (v, s) => v with { ControlPlaneReplicas = Int("controlPlane.replicas", s, 1, 100) }, v => Text(v.ControlPlaneReplicas)),
        ("controlPlane.resources.requests.cpu", (v, s) => v with { ControlPlaneCpuRequest = s }, v => v.ControlPlaneCpuRequest),
        ("controlPlane.resources.requests.memory", (v, s) => v with { ControlPlaneMemoryRequest = s }, v => v.ControlPlaneMemoryRequest),
        ("controlPlane.resources.limits.memory", (v, s) => v with { ControlPlaneMemoryLimit = s }, v => v.ControlPlaneMemoryLimit),
        ("proxy.image", (v, s) => v with { ProxyImage = s }, v => v.ProxyImage),
        ("proxy.initImage", (v, s) => v with { ProxyInitImage = s }, v => v.ProxyInitImage),
        ("imagePullPolicy", (v, s) => v with { ImagePullPolicy = OneOf("imagePullPolicy", s, "Always", "IfNotPresent", "Never") }, v => v.ImagePullPolicy),
        ("identity.trustDomain", (v, s) => v with { TrustDomain = s }, v => v.TrustDomain),
        ("identity.caSecret", (v, s) => v with { CaSecret = s }, v => v.CaSecret),
        ("webhook.failurePolicy", (v, s) => v with { WebhookFailurePolicy = OneOf("webhook.failurePolicy", s, "Fail", "Ignore") }, v => v.WebhookFailurePolicy),
        ("webhook.timeoutSeconds", (v, s) => v with { WebhookTimeoutSeconds = Int("webhook.timeoutSeconds", s, 1, 30) }, v => Text(v.WebhookTimeoutSeconds)),
        ("certManager.enabled", (v, s) => v with { CertManagerEnabled = Bool("certManager.enabled", s) }, v => v.CertManagerEnabled ? "true" : "false"),
        ("certManager.issuer", (v, s) => v with { CertManagerIssuer = s }, v => v.CertManagerIssuer),
    ];

    public static IEnumerable<string> KeyNames => Keys.Select(k => k.Key);

    /// <exception cref="FormatException">Unknown key or a value of the wrong kind, naming the key.</exception>
    public InstallValues Set(string key, string value)
    {
        foreach (var (name, set, _) in Keys)
        {
            if (name == key)
            {
                return set(this, value);
            }
        }

        throw new FormatException($"unknown value '{key}' (known: {string.Join(", ", KeyNames)})");
    }

    public string Get(string key) => Keys.Single(k => k.Key == key).Get(this);

    /// <summary>"key=value" as Helm's --set takes it (one pair; dotted key).</summary>
    /// <exception cref="FormatException">Not key=value, or as <see cref="Set"/>.</exception>
    public InstallValues SetPair(string pair)
    {
        ArgumentNullException.ThrowIfNull(pair);
        var eq = pair.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            throw new FormatException($"--set '{pair}' is not key=value");
        }

        return Set(pair[..eq].Trim(), pair[(eq + 1)..]);
    }

    /// <summary>A values file: nested mappings whose leaves are the keys above.</summary>
    /// <exception cref="FormatException">Malformed YAML, a leaf that is not a scalar, or as <see cref="Set"/>.</exception>
    public InstallValues Apply(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new FormatException($"values file: {e.Message}", e);
        }

        var values = this;
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" or "~" or "null" })
        {
            return values;
        }

        foreach (var (key, value) in Flatten(string.Empty, stream.Documents[0].RootNode))
        {
            values = values.Set(key, value);
        }

        return values;
    }

    private static IEnumerable<(string Key, string Value)> Flatten(string prefix, YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (key, child) in map.Children)
                {
                    var name = ((YamlScalarNode)key).Value ?? string.Empty;
                    foreach (var leaf in Flatten(prefix.Length == 0 ? name : $"{prefix}.{name}", child))
                    {
                        yield return leaf;
                    }
                }

                break;
            case YamlScalarNode scalar:
                yield return (prefix, scalar.Value ?? string.Empty);
                break;
            default:
                throw new FormatException($"values file: '{prefix}' must be a single value, not a list");
        }
    }

    private static int Int(string key, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max
            ? number
            : throw new FormatException($"{key}: '{value}' is not a whole number from {min} to {max}");

    private static bool Bool(string key, string value) => value switch
    {
        "true" => true,
        "false" => false,
        _ => throw new FormatException($"{key}: '{value}' is not true or false"),
    };

    private static string OneOf(string key, string value, params string[] allowed) =>
        allowed.Contains(value, StringComparer.Ordinal) ? value : throw new FormatException($"{key}: '{value}' is not one of {string.Join(", ", allowed)}");

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
