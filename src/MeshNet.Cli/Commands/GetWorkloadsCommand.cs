using System.Text.Json.Nodes;
using MeshNet.Cli.Output;

namespace MeshNet.Cli.Commands;

/// <summary>
/// `meshctl get workloads|wl [-n NS | -A] [-o wide|json|yaml]`: the control plane's /debug/workloads, manifest Pods and
/// registered sidecars alike; wide adds the service account, the mTLS identity and the labels.
/// </summary>
internal sealed class GetWorkloadsCommand(AdminReader admin, TextWriter output, TextWriter error)
{

    public async Task<int> RunAsync(string ns, bool allNamespaces, string? format, CancellationToken cancellationToken)
    {
        var reply = await admin.GetAsync("get workloads", "/debug/workloads", cancellationToken).ConfigureAwait(false);
        if (reply.Body is not JsonArray entries)
        {
            return reply.ExitCode;
        }

        var selected = new JsonArray([.. entries.OfType<JsonObject>()
            .Where(e => allNamespaces || ProxyStatusCommand.Text(e, "namespace") == ns)
            .Select(e => e.DeepClone())]);
        if (await ResourceOutput.WriteStructuredAsync(output, selected, format).ConfigureAwait(false))
        {
            return ExitCodes.Ok;
        }

        if (selected.Count == 0)
        {
            await error.WriteLineAsync(ResourceOutput.NoneFound(ns, allNamespaces)).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        await output.WriteAsync(Format(selected, allNamespaces, wide: format == "wide")).ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    private static string Format(JsonArray workloads, bool allNamespaces, bool wide)
    {
        var header = allNamespaces ? new List<string> { "NAMESPACE" } : [];
        header.AddRange(["NAME", "KIND", "OWNER", "ADDRESS", "READY", "MESHED"]);
        if (wide)
        {
            header.AddRange(["SERVICE-ACCOUNT", "IDENTITY", "LABELS"]);
        }

        var rows = new List<IReadOnlyList<string>> { header };
        foreach (var workload in workloads.OfType<JsonObject>()
            .OrderBy(w => ProxyStatusCommand.Text(w, "namespace"), StringComparer.Ordinal)
            .ThenBy(w => ProxyStatusCommand.Text(w, "name"), StringComparer.Ordinal)
            .ThenBy(w => ProxyStatusCommand.Text(w, "kind"), StringComparer.Ordinal))
        {
            var row = allNamespaces ? new List<string> { ProxyStatusCommand.Text(workload, "namespace") } : [];
            row.AddRange(
            [
                ProxyStatusCommand.Text(workload, "name"),
                ProxyStatusCommand.Text(workload, "kind"),
                OrNone(ProxyStatusCommand.Text(workload, "owner")),
                OrNone(ProxyStatusCommand.Text(workload, "address")),
                Flag(workload, "ready"),
                Flag(workload, "meshed"),
            ]);
            if (wide)
            {
                row.Add(OrNone(ProxyStatusCommand.Text(workload, "serviceAccount")));
                row.Add(OrNone(ProxyStatusCommand.Text(workload, "identity")));
                row.Add(Labels(workload));
            }

            rows.Add(row);
        }

        return Table.Format(rows);
    }

    private static string Flag(JsonObject workload, string name) => workload[name]?.GetValue<bool>() == true ? "true" : "false";

    private static string OrNone(string text) => text.Length == 0 ? "<none>" : text;

    private static string Labels(JsonObject workload)
    {
        var labels = (workload["labels"] as JsonObject ?? [])
            .Select(p => $"{p.Key}={p.Value}")
            .Order(StringComparer.Ordinal)
            .ToList();
        return labels.Count == 0 ? "<none>" : string.Join(',', labels);
    }
}
