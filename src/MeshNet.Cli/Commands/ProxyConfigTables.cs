using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using MeshNet.Cli.Output;

namespace MeshNet.Cli.Commands;

/// <summary>
/// Tables of one section of a sidecar's config (the proto's JSON as the sidecar's admin /config prints it, or its
/// /certs), for `meshctl proxy-config`.
/// </summary>
internal static class ProxyConfigTables
{
    // A terminal shows "+00:00" as is; the default encoder's "\u002B" is for HTML, not people.
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Format(string section, JsonObject config, bool color) => section switch
    {
        "routes" => Routes(config, color),
        "clusters" => Clusters(config, color),
        "endpoints" => Endpoints(config, color),
        "dns" => Dns(config, color),
        "certs" => Certs(config),
        _ => throw new ArgumentOutOfRangeException(nameof(section), section, "unknown section"),
    };

    private static string Routes(JsonObject config, bool color)
    {
        List<IReadOnlyList<string>> rows = [["VIRTUAL-HOST", "DOMAINS", "ROUTE", "MATCH", "CLUSTERS", "SOURCE"]];
        foreach (var host in Objects(config["virtualHosts"]))
        {
            var domains = Strings(host["domains"]);
            var shownDomains = domains.Count switch
            {
                0 => "<none>",
                1 => domains[0],
                _ => string.Create(CultureInfo.InvariantCulture, $"{domains[0]} +{domains.Count - 1} more"),
            };
            foreach (var route in Objects(host["routes"]))
            {
                var clusters = string.Join(',', Objects(route["clusters"]).Select(c =>
                    c["weight"] is JsonValue w && w.GetValue<long>() is var weight and > 0
                        ? string.Create(CultureInfo.InvariantCulture, $"{Str(c, "cluster")} ({weight})")
                        : Str(c, "cluster")));
                rows.Add([Str(host, "name"), shownDomains, Dash(Str(route, "name")), Match(route["match"] as JsonObject), Dash(clusters), Dash(Str(route, "source"))]);
            }
        }

        return Table.Format(rows, color);
    }

    private static string Clusters(JsonObject config, bool color)
    {
        List<IReadOnlyList<string>> rows = [["NAME", "SERVICE", "PROTOCOL", "ENDPOINTS", "LB", "POLICY"]];
        foreach (var cluster in Objects(config["clusters"]).OrderBy(c => Str(c, "name"), StringComparer.Ordinal))
        {
            var lb = cluster["loadBalancer"] is JsonObject balancer ? Str(balancer, "type") : string.Empty;
            rows.Add(
            [
                Str(cluster, "name"),
                Dash(Str(cluster, "service")),
                Dash(Str(cluster, "appProtocol")),
                Objects(cluster["endpoints"]).Count.ToString(CultureInfo.InvariantCulture),
                Dash(lb),
                Dash(Str(cluster, "policy")),
            ]);
        }

        return Table.Format(rows, color);
    }

    private static string Endpoints(JsonObject config, bool color)
    {
        List<IReadOnlyList<string>> rows = [["ENDPOINT", "CLUSTER", "WORKLOAD", "TARGET-PORT", "MESHED", "MTLS"]];
        foreach (var cluster in Objects(config["clusters"]).OrderBy(c => Str(c, "name"), StringComparer.Ordinal))
        {
            foreach (var endpoint in Objects(cluster["endpoints"]))
            {
                rows.Add(
                [
                    $"{Str(endpoint, "address")}:{Num(endpoint, "port")}",
                    Str(cluster, "name"),
                    Dash(Str(endpoint, "workload")),
                    Num(endpoint, "targetPort"),
                    endpoint["meshed"]?.GetValue<bool>() == true ? "true" : "false",
                    Str(endpoint, "identity").Length > 0 ? Str(endpoint, "identity") : "plaintext",
                ]);
            }
        }

        return Table.Format(rows, color, (column, cell) => column == 5 && cell == "plaintext" ? AnsiColor.Yellow : AnsiColor.None);
    }

    private static string Dns(JsonObject config, bool color)
    {
        List<IReadOnlyList<string>> rows = [["SERVICE", "CLUSTER-IPS", "HEADLESS", "PORTS", "ENDPOINTS"]];
        foreach (var service in Objects(config["dnsServices"]).OrderBy(s => Str(s, "key"), StringComparer.Ordinal))
        {
            var ips = Strings(service["clusterIps"]);
            var external = Str(service, "externalName");
            rows.Add(
            [
                Str(service, "key"),
                external.Length > 0 ? $"<external:{external}>" : ips.Count == 0 ? "None" : string.Join(',', ips),
                service["headless"]?.GetValue<bool>() == true ? "true" : "false",
                Dash(string.Join(',', Objects(service["ports"]).Select(p => $"{Num(p, "port")}/{Str(p, "protocol")}"))),
                Objects(service["endpoints"]).Count.ToString(CultureInfo.InvariantCulture),
            ]);
        }

        return Table.Format(rows, color);
    }

    /// <summary>The certificate as "key: value" lines; the trust bundle and refusals only by count.</summary>
    private static string Certs(JsonObject certs)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in certs)
        {
            var shown = value switch
            {
                null => "<none>",
                JsonArray { Count: 1 } => "1 entry",
                JsonArray array => string.Create(CultureInfo.InvariantCulture, $"{array.Count} entries"),
                JsonObject => value.ToJsonString(Relaxed),
                _ => value.ToString(),
            };
            text.Append(key).Append(": ").Append(shown).Append('\n');
        }

        return text.ToString();
    }

    private static string Match(JsonObject? match)
    {
        if (match is null)
        {
            return "/*";
        }

        var parts = new List<string>();
        if (match["path"] is JsonObject path && Str(path, "value") is { Length: > 0 } value)
        {
            parts.Add(Str(path, "type") switch { "EXACT" => value, "REGEX" => $"~{value}", _ => $"{value}*" });
        }
        else if (Str(match, "pathPrefix") is { Length: > 0 } prefix)
        {
            parts.Add($"{prefix}*");
        }
        else
        {
            parts.Add("/*");
        }

        if (Str(match, "method") is { Length: > 0 } method)
        {
            parts.Add(method);
        }

        parts.AddRange(Objects(match["headers"]).Select(h => $"{Str(h, "name")}{(Str(h, "type") == "REGEX" ? "~" : "=")}{Str(h, "value")}"));
        return string.Join(' ', parts);
    }

    private static List<JsonObject> Objects(JsonNode? node) => node is JsonArray array ? [.. array.OfType<JsonObject>()] : [];

    private static List<string> Strings(JsonNode? node) =>
        node is JsonArray array ? [.. array.OfType<JsonValue>().Select(v => v.ToString())] : [];

    private static string Str(JsonObject node, string name) => ProxyStatusCommand.Text(node, name);

    private static string Num(JsonObject node, string name) => node[name] is JsonValue value ? value.ToString() : "0";

    private static string Dash(string text) => text.Length == 0 ? "-" : text;
}
