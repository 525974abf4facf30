using System.Globalization;
using System.Text.Json.Nodes;
using MeshNet.Cli.Output;

namespace MeshNet.Cli.Commands;

/// <summary>
/// `meshctl get endpoints|policies [-n NS | -A] [-o wide|json|yaml]`: the control plane's /debug/services endpoints
/// (as `kubectl get endpoints` lists them) and /debug/policies (TrafficPolicies and TrafficRoutes, accepted or not).
/// </summary>
internal sealed class GetResourcesCommand(AdminReader admin, TextWriter output, TextWriter error)
{

    // kubectl shows this many addresses before "+ N more...".
    private const int ShownAddresses = 3;

    public async Task<int> RunAsync(string kind, string ns, bool allNamespaces, string? format, CancellationToken cancellationToken)
    {
        var path = kind == "policies" ? "/debug/policies" : "/debug/services";
        var reply = await admin.GetAsync($"get {kind}", path, cancellationToken).ConfigureAwait(false);
        if (reply.Body is not JsonArray entries)
        {
            return reply.ExitCode;
        }

        var selected = new JsonArray([.. entries.OfType<JsonObject>()
            .Where(e => allNamespaces || ProxyStatusCommand.Text(e, "namespace") == ns)
            .Select(e => kind == "policies" ? e.DeepClone() : EndpointsEntry(e))]);
        if (await ResourceOutput.WriteStructuredAsync(output, selected, format).ConfigureAwait(false))
        {
            return ExitCodes.Ok;
        }

        if (selected.Count == 0)
        {
            await error.WriteLineAsync(ResourceOutput.NoneFound(ns, allNamespaces)).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        var wide = format == "wide";
        await output.WriteAsync(kind == "policies" ? Policies(selected, allNamespaces, wide) : Endpoints(selected, allNamespaces, wide)).ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    /// <summary>The endpoints part of a /debug/services entry: what -o json|yaml print for `get endpoints`.</summary>
    private static JsonObject EndpointsEntry(JsonObject service) => new()
    {
        ["namespace"] = service["namespace"]?.DeepClone(),
        ["name"] = service["name"]?.DeepClone(),
        ["endpoints"] = service["endpoints"]?.DeepClone() ?? new JsonArray(),
    };

    private static string Policies(JsonArray policies, bool allNamespaces, bool wide)
    {
        var rows = new List<IReadOnlyList<string>> { Header(allNamespaces, ["NAME", "KIND", "TARGET", "ACCEPTED", "ERROR"], wide ? "CLUSTERS" : null) };
        foreach (var policy in Sorted(policies))
        {
            var cells = new List<string>
            {
                ProxyStatusCommand.Text(policy, "name"),
                ProxyStatusCommand.Text(policy, "kind"),
                ProxyStatusCommand.Text(policy, "target"),
                policy["accepted"]?.GetValue<bool>() == false ? "false" : "true",
                ProxyStatusCommand.Text(policy, "error") is { Length: > 0 } message ? message : "<none>",
            };
            if (wide)
            {
                var clusters = policy["clusters"] is JsonArray list ? string.Join(',', list.Select(c => c?.ToString())) : string.Empty;
                cells.Add(clusters.Length == 0 ? "<none>" : clusters);
            }

            rows.Add(Row(policy, allNamespaces, cells));
        }

        return Table.Format(rows);
    }

    private static string Endpoints(JsonArray services, bool allNamespaces, bool wide)
    {
        var rows = new List<IReadOnlyList<string>> { Header(allNamespaces, ["NAME", "ENDPOINTS", "NOT-READY"], wide ? "WORKLOADS" : null) };
        foreach (var service in Sorted(services))
        {
            var endpoints = (service["endpoints"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            var ready = endpoints.Where(e => e["ready"]?.GetValue<bool>() == true)
                .Select(e => $"{ProxyStatusCommand.Text(e, "address")}:{e["targetPort"]}")
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal)
                .ToList();
            var shown = ready.Count switch
            {
                0 => "<none>",
                <= ShownAddresses => string.Join(',', ready),
                _ => string.Create(CultureInfo.InvariantCulture, $"{string.Join(',', ready.Take(ShownAddresses))} + {ready.Count - ShownAddresses} more..."),
            };
            var notReady = endpoints.Where(e => e["ready"]?.GetValue<bool>() != true)
                .Select(e => ProxyStatusCommand.Text(e, "workload"))
                .Distinct(StringComparer.Ordinal)
                .Count();
            var cells = new List<string> { ProxyStatusCommand.Text(service, "name"), shown, notReady.ToString(CultureInfo.InvariantCulture) };
            if (wide)
            {
                var workloads = endpoints.Select(e => ProxyStatusCommand.Text(e, "workload")).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
                cells.Add(workloads.Count == 0 ? "<none>" : string.Join(',', workloads));
            }

            rows.Add(Row(service, allNamespaces, cells));
        }

        return Table.Format(rows);
    }

    private static IEnumerable<JsonObject> Sorted(JsonArray entries) =>
        entries.OfType<JsonObject>()
            .OrderBy(e => ProxyStatusCommand.Text(e, "namespace"), StringComparer.Ordinal)
            .ThenBy(e => ProxyStatusCommand.Text(e, "name"), StringComparer.Ordinal);

    private static List<string> Header(bool allNamespaces, string[] columns, string? wideColumn)
    {
        var header = allNamespaces ? new List<string> { "NAMESPACE" } : [];
        header.AddRange(columns);
        if (wideColumn is not null)
        {
            header.Add(wideColumn);
        }

        return header;
    }

    private static List<string> Row(JsonObject entry, bool allNamespaces, List<string> cells) =>
        allNamespaces ? [ProxyStatusCommand.Text(entry, "namespace"), .. cells] : cells;
}
