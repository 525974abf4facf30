using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace MeshNet.Cli.Commands;

/// <summary>
/// `meshctl describe svc NAME [-n NS]`: the control plane's /debug/services/{ns}/{name} as kubectl describe prints a
/// Service (aligned "Key:" lines, indented detail lines), plus what only the mesh knows: why an endpoint is not ready,
/// the traffic resources attached, the namespace's mTLS mode and who may call it.
/// </summary>
internal sealed class DescribeServiceCommand(AdminReader admin, TextWriter output)
{

    private const int KeyWidth = 19;

    public async Task<int> RunAsync(string name, string ns, CancellationToken cancellationToken)
    {
        var path = $"/debug/services/{Uri.EscapeDataString(ns)}/{Uri.EscapeDataString(name)}";
        var reply = await admin.GetAsync("describe svc", path, cancellationToken).ConfigureAwait(false);
        if (reply.Body is not JsonObject service)
        {
            return reply.ExitCode;
        }

        await output.WriteAsync(Format(service)).ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    internal static string Format(JsonObject service)
    {
        var text = new StringBuilder();
        Line(text, "Name", Text(service, "name"));
        Line(text, "Namespace", Text(service, "namespace"));
        Line(text, "Type", Text(service, "type"));
        var selector = (service["selector"] as JsonObject ?? []).Select(p => $"{p.Key}={p.Value}").Order(StringComparer.Ordinal).ToList();
        Line(text, "Selector", selector.Count == 0 ? "<none>" : string.Join(',', selector));
        var ips = Strings(service["clusterIPs"]);
        Line(text, "IP(s)", ips.Count == 0 ? "None" : string.Join(',', ips));

        var endpoints = Objects(service["endpoints"]);
        var ports = Objects(service["ports"]);
        Section(text, "Ports", ports.Select(p => PortLine(p, endpoints)));
        // Endpoint lines are columns (address, port, workload, state) so that a long list stays readable.
        var endpointRows = endpoints
            .OrderBy(e => e["port"]?.GetValue<int>())
            .ThenBy(e => Text(e, "workload"), StringComparer.Ordinal)
            .Select(EndpointCells)
            .ToList();
        Section(text, "Endpoints", endpointRows.Count == 0 ? [] : Output.Table.Format(endpointRows).TrimEnd('\n').Split('\n').Select(l => l.TrimEnd()));
        Section(text, "Policies", Objects(service["policies"]).Select(TrafficLine));
        Section(text, "Routes", Objects(service["routes"]).Select(TrafficLine));
        Line(text, "mTLS", Text(service, "mtls") is { Length: > 0 } mtls ? mtls : "<unknown>");
        Section(text, "Who may call", WhoMayCall(service["authorization"] as JsonObject ?? []), empty: "anyone");
        return text.ToString();
    }

    /// <summary>"http 80/TCP -> 8080": a named target port shows the numbers it resolved to on the endpoints.</summary>
    private static string PortLine(JsonObject port, List<JsonObject> endpoints)
    {
        var number = port["port"]?.GetValue<int>() ?? 0;
        var target = port["targetPort"]?.ToString() ?? string.Empty;
        var resolved = endpoints.Where(e => e["port"]?.GetValue<int>() == number)
            .Select(e => e["targetPort"]?.ToString() ?? string.Empty)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        var targetText = int.TryParse(target, NumberStyles.None, CultureInfo.InvariantCulture, out _) || resolved.Count == 0
            ? target
            : $"{target} ({string.Join(',', resolved)})";
        var name = Text(port, "name") is { Length: > 0 } n ? n + " " : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $"{name}{number}/{Text(port, "protocol")} -> {targetText}");
    }

    private static IReadOnlyList<string> EndpointCells(JsonObject endpoint)
    {
        var state = endpoint["ready"]?.GetValue<bool>() == true
            ? "ready"
            : Text(endpoint, "reason") is { Length: > 0 } reason ? $"not ready ({reason})" : "not ready";
        if (endpoint["terminating"]?.GetValue<bool>() == true && !state.Contains("terminating", StringComparison.Ordinal))
        {
            state += ", terminating";
        }

        return
        [
            $"{Text(endpoint, "address")}:{endpoint["targetPort"]}",
            $"port {endpoint["port"]}",
            Text(endpoint, "workload") is { Length: > 0 } w ? w : "<none>",
            endpoint["meshed"]?.GetValue<bool>() == true ? "meshed" : "not meshed",
            state,
        ];
    }

    private static string TrafficLine(JsonObject resource)
    {
        var state = resource["accepted"]?.GetValue<bool>() == false
            ? $"rejected: {Text(resource, "error")}"
            : "accepted";
        return $"{Text(resource, "name")} (target {Text(resource, "target")}): {state}";
    }

    private static IEnumerable<string> WhoMayCall(JsonObject authorization)
    {
        var defaultDeny = authorization["defaultDeny"]?.GetValue<bool>() == true;
        var policies = Objects(authorization["policies"]);
        if (policies.Count == 0)
        {
            yield return defaultDeny ? "nobody: the namespace denies by default and no policy allows" : "anyone: no AuthorizationPolicy applies";
            yield break;
        }

        yield return defaultDeny ? "default: deny (only what an ALLOW policy permits)" : "default: allow";
        foreach (var policy in policies)
        {
            var rules = Objects(policy["rules"]);
            if (rules.Count == 0)
            {
                yield return $"{Text(policy, "action")} {Text(policy, "name")}: every request";
            }

            foreach (var rule in rules)
            {
                yield return $"{Text(policy, "action")} {Text(policy, "name")}: from {From(rule)} to {To(rule)}";
            }
        }
    }

    private static string From(JsonObject rule)
    {
        var parts = new List<string>();
        Add(parts, "principals", Strings(rule["principals"]));
        Add(parts, "namespaces", Strings(rule["namespaces"]));
        return parts.Count == 0 ? "anyone" : string.Join("; ", parts);
    }

    private static string To(JsonObject rule)
    {
        var parts = new List<string>();
        Add(parts, "ports", Strings(rule["ports"]));
        Add(parts, "methods", Strings(rule["methods"]));
        Add(parts, "paths", Strings(rule["paths"]));
        return parts.Count == 0 ? "anything" : string.Join("; ", parts);
    }

    private static void Add(List<string> parts, string label, List<string> values)
    {
        if (values.Count > 0)
        {
            parts.Add($"{label} {string.Join(',', values)}");
        }
    }

    private static void Line(StringBuilder text, string key, string value) =>
        text.Append((key + ":").PadRight(KeyWidth)).Append(value).Append('\n');

    /// <summary>A key with its items on the following lines, indented, or "&lt;none&gt;" on the key's line.</summary>
    private static void Section(StringBuilder text, string key, IEnumerable<string> items, string empty = "<none>")
    {
        var list = items.ToList();
        if (list.Count == 0)
        {
            Line(text, key, empty);
            return;
        }

        text.Append(key).Append(":\n");
        foreach (var item in list)
        {
            text.Append("  ").Append(item).Append('\n');
        }
    }

    private static string Text(JsonObject node, string name) => ProxyStatusCommand.Text(node, name);

    private static List<JsonObject> Objects(JsonNode? node) => (node as JsonArray ?? []).OfType<JsonObject>().ToList();

    private static List<string> Strings(JsonNode? node) => (node as JsonArray ?? []).Select(n => n?.ToString() ?? string.Empty).ToList();
}
