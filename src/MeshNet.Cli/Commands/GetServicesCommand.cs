using System.Text.Json;
using System.Text.Json.Nodes;
using MeshNet.Cli.Output;

namespace MeshNet.Cli.Commands;

/// <summary>
/// `meshctl get svc [-n NS | -A] [-o wide|json|yaml]`: the control plane's /debug/services as kubectl shows Services,
/// with the TrafficPolicies and TrafficRoutes that target each one (from /debug/policies).
/// </summary>
internal sealed class GetServicesCommand(HttpClient http, Uri controlPlane, TextWriter output, TextWriter error)
{

    public async Task<int> RunAsync(string ns, bool allNamespaces, string? format, CancellationToken cancellationToken)
    {
        JsonArray services;
        try
        {
            using var response = await http.GetAsync(new Uri(controlPlane, "/debug/services"), cancellationToken).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            services = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)) as JsonArray ?? [];
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync(
                $"meshctl get svc: cannot read services from the control plane at {controlPlane} ({e.Message}); is `meshctl up` running? (--control-plane URL or {ControlPlaneLocator.EnvironmentVariable})")
                .ConfigureAwait(false);
            return ExitCodes.CouldNotRun;
        }

        var selected = new JsonArray([.. services.Where(s => allNamespaces || (string?)s?["namespace"] == ns).Select(s => s?.DeepClone())]);
        if (await ResourceOutput.WriteStructuredAsync(output, selected, format).ConfigureAwait(false))
        {
            return ExitCodes.Ok;
        }

        if (selected.Count == 0)
        {
            await error.WriteLineAsync(ResourceOutput.NoneFound(ns, allNamespaces)).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        var policies = PoliciesByService(await ReadPoliciesAsync(cancellationToken).ConfigureAwait(false));
        var statuses = selected.Deserialize(Local.AdminJsonContext.Default.ListServiceStatus) ?? [];
        await output.WriteAsync(ServiceTable.Format(statuses, allNamespaces, wide: format == "wide", policies: policies)).ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    /// <summary>"ns/service" to "name,name (rejected)"; a rejected resource is listed so that it is not missed.</summary>
    internal static Dictionary<string, string> PoliciesByService(JsonArray policies) =>
        policies.OfType<JsonObject>()
            .GroupBy(p => $"{ProxyStatusCommand.Text(p, "namespace")}/{ProxyStatusCommand.Text(p, "target").Split(':')[0]}", StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => string.Join(',', g.Select(p => p["accepted"]?.GetValue<bool>() == false ? $"{ProxyStatusCommand.Text(p, "name")} (rejected)" : ProxyStatusCommand.Text(p, "name"))),
                StringComparer.Ordinal);

    /// <summary>An older control plane without /debug/policies still gets its Services listed, with no policies.</summary>
    private async Task<JsonArray> ReadPoliciesAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(controlPlane, "/debug/policies"), cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode
                ? JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)) as JsonArray ?? []
                : [];
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return [];
        }
    }
}
