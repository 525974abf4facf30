using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using MeshNet.Cli.Local;

namespace MeshNet.Cli.Commands;

/// <summary>`meshctl get svc [-n NS | -A] [-o wide|json]`: the control plane's /debug/services as kubectl shows Services.</summary>
internal sealed class GetServicesCommand(HttpClient http, Uri controlPlane, TextWriter output, TextWriter error)
{
    public const int ExitOk = 0;
    public const int ExitUnreachable = 1;

    public async Task<int> RunAsync(string ns, bool allNamespaces, string? format, CancellationToken cancellationToken)
    {
        JsonArray services;
        try
        {
            services = await http.GetFromJsonAsync<JsonArray>(new Uri(controlPlane, "/debug/services"), cancellationToken).ConfigureAwait(false) ?? [];
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync(
                $"meshctl get svc: cannot read services from the control plane at {controlPlane} ({e.Message}); is `meshctl up` running? (--control-plane URL or {ControlPlaneLocator.EnvironmentVariable})")
                .ConfigureAwait(false);
            return ExitUnreachable;
        }

        var selected = new JsonArray([.. services.Where(s => allNamespaces || (string?)s?["namespace"] == ns).Select(s => s?.DeepClone())]);
        if (format == "json")
        {
            await output.WriteLineAsync(selected.ToJsonString(new JsonSerializerOptions { WriteIndented = true })).ConfigureAwait(false);
            return ExitOk;
        }

        if (selected.Count == 0)
        {
            await error.WriteLineAsync(allNamespaces ? "No resources found" : $"No resources found in {ns} namespace.").ConfigureAwait(false);
            return ExitOk;
        }

        var statuses = selected.Deserialize(AdminJsonContext.Default.ListServiceStatus) ?? [];
        await output.WriteAsync(ServiceTable.Format(statuses, allNamespaces, wide: format == "wide")).ConfigureAwait(false);
        return ExitOk;
    }
}
