namespace MeshNet.Cli.Install;

/// <summary>Object names and ports the manifests share (the chart's templates use the same).</summary>
internal static class InstallNames
{
    public const string ControlPlane = "meshnet-control";
    public const string WebhookConfiguration = "meshnet-sidecar-injector";
    public const string WebhookCertificate = "meshnet-webhook";
    public const string WebhookSecret = "meshnet-webhook-tls";
    public const string SelfSignedIssuer = "meshnet-selfsigned";

    public const int GrpcPort = 15010;
    public const int AdminPort = 15014;
    public const int WebhookPort = 15017;
    public const int DnsPort = 15053;

    /// <summary>The non-root user of the .NET chiseled images ("app").</summary>
    public const int ImageUser = 1654;

    public const string WebhookCertMount = "/etc/meshnet/webhook";

    public static Dictionary<string, string> Labels() => new(StringComparer.Ordinal)
    {
        ["app.kubernetes.io/name"] = ControlPlane,
        ["app.kubernetes.io/part-of"] = "meshnet",
        ["app.kubernetes.io/version"] = InstallValues.Version,
    };

    public static Dictionary<string, string> Selector() => new(StringComparer.Ordinal) { ["app.kubernetes.io/name"] = ControlPlane };
}
