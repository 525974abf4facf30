namespace MeshNet.ControlPlane.Telemetry.Metrics;

/// <summary>
/// A NACK's message reduced to the kind of resource it blames, so the reason label stays bounded: the sidecar's
/// validator names the resource first ("cluster \"...\": ...", "route \"...\" of virtual host ...").
/// </summary>
internal static class NackReasons
{
    public const string Cluster = "cluster";
    public const string VirtualHost = "virtual_host";
    public const string Route = "route";
    public const string Dns = "dns";
    public const string Inbound = "inbound";
    public const string Timeout = "timeout";
    public const string Other = "other";

    public static readonly string[] All = [Cluster, VirtualHost, Route, Dns, Inbound, Timeout, Other];

    private static readonly (string Prefix, string Reason)[] Prefixes =
    [
        ("cluster ", Cluster),
        ("route ", Route),
        ("virtual host ", VirtualHost),
        ("domain ", VirtualHost),
        ("dns ", Dns),
        ("inbound", Inbound),
    ];

    public static string Classify(string? message)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            return Other;
        }

        var text = message.TrimStart();
        // Delta bookkeeping errors read "a virtual host has an empty name", "dns service \"x\" appears twice ...".
        if (text.StartsWith("a ", StringComparison.Ordinal))
        {
            text = text[2..];
        }

        foreach (var (prefix, reason) in Prefixes)
        {
            if (text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return reason;
            }
        }

        return text.Contains("did not apply", StringComparison.OrdinalIgnoreCase) || text.Contains("timed out", StringComparison.OrdinalIgnoreCase)
            ? Timeout
            : Other;
    }
}
