using System.Text.Json;
using System.Text.Json.Nodes;
using MeshNet.Cli.Output;

namespace MeshNet.Cli.Commands;

/// <summary>
/// `meshctl proxy-config WORKLOAD [routes|clusters|endpoints|dns|certs] [-n NS] [-o json]`: a sidecar's applied
/// config, read through the control plane's /debug/proxies/{ns}/{name}/config. WORKLOAD is NAME or NAME.NAMESPACE.
/// Without a section, the routes, clusters, endpoints and dns tables one after the other.
/// </summary>
internal sealed class ProxyConfigCommand(AdminReader admin, TextWriter output, bool color)
{

    public static readonly IReadOnlyList<string> Sections = ["routes", "clusters", "endpoints", "dns", "certs"];

    public async Task<int> RunAsync(string workload, string ns, string? section, string? format, CancellationToken cancellationToken)
    {
        var (name, namespaceName) = Split(workload, ns);
        var path = $"/debug/proxies/{Uri.EscapeDataString(namespaceName)}/{Uri.EscapeDataString(name)}/config?section={section ?? "all"}";
        var reply = await admin.GetAsync("proxy-config", path, cancellationToken).ConfigureAwait(false);
        if (reply.Body is not JsonObject config)
        {
            return reply.ExitCode;
        }

        if (format == "json")
        {
            await output.WriteLineAsync(config.ToJsonString(new JsonSerializerOptions { WriteIndented = true })).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        if (section is not null)
        {
            await output.WriteAsync(ProxyConfigTables.Format(section, config, color)).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        var first = true;
        foreach (var part in Sections.Where(s => s != "certs"))
        {
            await output.WriteAsync($"{(first ? string.Empty : "\n")}# {part}\n{ProxyConfigTables.Format(part, config, color)}").ConfigureAwait(false);
            first = false;
        }

        return ExitCodes.Ok;
    }

    /// <summary>"posts-v1-0.blog" names its namespace, as istioctl takes pods; a plain name uses -n.</summary>
    internal static (string Name, string Namespace) Split(string workload, string ns)
    {
        var dot = workload.LastIndexOf('.');
        return dot > 0 && dot < workload.Length - 1 ? (workload[..dot], workload[(dot + 1)..]) : (workload, ns);
    }
}
