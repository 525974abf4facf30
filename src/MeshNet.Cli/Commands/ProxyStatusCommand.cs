using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MeshNet.Cli.Output;

namespace MeshNet.Cli.Commands;

/// <summary>
/// `meshctl proxy-status [-o json]`: every connected sidecar, the config version it runs, and whether that is the
/// last one the control plane sent (SYNCED), one it refused (NACKED) or one not answered yet (STALE).
/// </summary>
internal sealed class ProxyStatusCommand(AdminReader admin, TextWriter output, TextWriter error, bool color)
{

    public async Task<int> RunAsync(string? format, CancellationToken cancellationToken)
    {
        var reply = await admin.GetAsync("proxy-status", "/debug/proxies", cancellationToken).ConfigureAwait(false);
        if (reply.Body is not JsonArray proxies)
        {
            return reply.ExitCode;
        }

        if (format == "json")
        {
            await output.WriteLineAsync(proxies.ToJsonString(new JsonSerializerOptions { WriteIndented = true })).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        if (proxies.Count == 0)
        {
            await error.WriteLineAsync("No sidecars connected.").ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        await output.WriteAsync(Format(proxies, color)).ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    public static string Format(JsonArray proxies, bool color)
    {
        List<IReadOnlyList<string>> rows = [["NAMESPACE", "NAME", "ADDRESS", "READY", "STATUS", "VERSION", "SENT", "SINCE-ACK", "LAST-NACK"]];
        foreach (var proxy in proxies.OfType<JsonObject>()
            .OrderBy(p => Text(p, "namespace"), StringComparer.Ordinal).ThenBy(p => Text(p, "name"), StringComparer.Ordinal))
        {
            var address = string.Create(CultureInfo.InvariantCulture, $"{Text(proxy, "address")}:{proxy["inboundPort"]?.GetValue<int>()}");
            var since = proxy["secondsSinceAck"] is JsonValue seconds ? Age(seconds.GetValue<long>()) : "<never>";
            var nack = proxy["lastNack"] is JsonObject last ? $"{Text(last, "version")}: {Text(last, "message")}" : "<none>";
            rows.Add(
            [
                Text(proxy, "namespace"),
                Text(proxy, "name"),
                address,
                proxy["ready"]?.GetValue<bool>() == true ? "true" : "false",
                Text(proxy, "status") is { Length: > 0 } status ? status : "UNKNOWN",
                Dash(Text(proxy, "ackedVersion")),
                Dash(Text(proxy, "sentVersion")),
                since,
                nack,
            ]);
        }

        return Table.Format(rows, color, (column, cell) => column == 4
            ? cell switch { "SYNCED" => AnsiColor.Green, "NACKED" => AnsiColor.Red, _ => AnsiColor.Yellow }
            : column == 3 && cell == "false" ? AnsiColor.Red : AnsiColor.None);
    }

    internal static string Text(JsonObject node, string name) => node[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : string.Empty;

    /// <summary>kubectl's age style: seconds under two minutes, then minutes, then hours.</summary>
    internal static string Age(long seconds) => seconds switch
    {
        < 120 => string.Create(CultureInfo.InvariantCulture, $"{seconds}s"),
        < 7200 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 60}m"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600}h"),
    };

    private static string Dash(string text) => text.Length == 0 ? "-" : text;
}
