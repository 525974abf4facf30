using System.Collections.Immutable;
using System.Globalization;

namespace MeshNet.Cli.Local;

/// <summary>Everything meshnet-proxy needs to stand next to one pod's app.</summary>
/// <param name="TemplateHash">
/// A Deployment pod's pod-template-hash, announced as that label (as a ReplicaSet sets it) so the control plane can
/// tell the pod's Deployment from its name; null for other pods.
/// </param>
internal sealed record SidecarSettings(
    PodIdentity Pod,
    int AppPort,
    ImmutableArray<KeyValuePair<string, int>> NamedPorts,
    string? ReadinessPath,
    NetnsSidecar? Netns = null,
    IReadOnlyList<string>? ExtraArguments = null,
    string? TemplateHash = null)
{
    public const string PodTemplateHashLabel = "pod-template-hash";

    public const int InboundPort = 15006;
    public const int OutboundPort = 15001;
    public const int AdminPort = 15000;
    public const int DnsPort = 15053;

    public Uri OutboundUrl => new($"http://{Pod.Address}:{OutboundPort.ToString(CultureInfo.InvariantCulture)}");

    public Uri AdminUrl => new($"http://{Pod.Address}:{AdminPort.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>The meshnet-proxy command line (after the dll), in the order of its --help.</summary>
    public IReadOnlyList<string> ToArguments(Uri controlPlane)
    {
        var arguments = new List<string>
        {
            "--control-plane", controlPlane.ToString().TrimEnd('/'),
            "--name", Pod.Name,
            "--namespace", Pod.Namespace,
        };
        var labels = TemplateHash is null ? Pod.Labels : Pod.Labels.SetItem(PodTemplateHashLabel, TemplateHash);
        if (!labels.IsEmpty)
        {
            arguments.Add("--labels");
            arguments.Add(string.Join(",", labels.Select(l => $"{l.Key}={l.Value}")));
        }

        // The flag's list is comma-separated, so a value with a comma (JSON, lists) cannot pass; none the mesh reads has one.
        var annotations = (Pod.Annotations ?? ImmutableSortedDictionary<string, string>.Empty)
            .Where(a => !a.Key.Contains(',', StringComparison.Ordinal) && !a.Value.Contains(',', StringComparison.Ordinal))
            .ToList();
        if (annotations.Count > 0)
        {
            arguments.Add("--annotations");
            arguments.Add(string.Join(",", annotations.Select(a => $"{a.Key}={a.Value}")));
        }

        arguments.AddRange(["--service-account", Pod.ServiceAccount]);
        if (Pod.Hostname is { Length: > 0 } hostname)
        {
            arguments.AddRange(["--hostname", hostname]);
        }

        if (Pod.Subdomain is { Length: > 0 } subdomain)
        {
            arguments.AddRange(["--subdomain", subdomain]);
        }

        arguments.AddRange(["--app-address", Pod.Address]);
        arguments.AddRange(["--app-port", Invariant(AppPort)]);
        foreach (var (name, port) in NamedPorts)
        {
            arguments.AddRange(["--port", $"{name}={Invariant(port)}"]);
        }

        if (Netns is null)
        {
            arguments.AddRange(["--inbound", $"{Pod.Address}:{Invariant(InboundPort)}"]);
            arguments.AddRange(["--outbound", $"{Pod.Address}:{Invariant(OutboundPort)}"]);
            arguments.AddRange(["--admin", $"{Pod.Address}:{Invariant(AdminPort)}"]);
        }
        else
        {
            // Transparent mode: iptables REDIRECT of locally generated traffic lands on 127.0.0.1, inbound on the
            // pod IP; admin stays on the pod IP (excluded from inbound interception) so the runner can reach it.
            arguments.AddRange(["--inbound", $"{Pod.Address}:{Invariant(InboundPort)}"]);
            arguments.AddRange(["--outbound", $"127.0.0.1:{Invariant(OutboundPort)}"]);
            arguments.AddRange(["--admin", $"{Pod.Address}:{Invariant(AdminPort)}"]);
            arguments.AddRange(["--dns", $"127.0.0.1:{Invariant(DnsPort)}"]);
            if (Netns.DnsUpstream is not null)
            {
                arguments.AddRange(["--dns-upstream", Netns.DnsUpstream]);
            }
        }

        if (ReadinessPath is not null)
        {
            arguments.AddRange(["--readiness-path", ReadinessPath]);
        }

        arguments.AddRange(ExtraArguments ?? []);

        return arguments;
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A sidecar that runs in its pod's network namespace behind `meshnet-proxy init` rules.</summary>
/// <param name="DnsUpstream">IP:PORT for names outside the cluster; the pod's own resolv.conf points at the proxy.</param>
internal sealed record NetnsSidecar(string Namespace, string? DnsUpstream);
