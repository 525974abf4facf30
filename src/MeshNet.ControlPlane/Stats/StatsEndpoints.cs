using MeshNet.ControlPlane.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MeshNet.ControlPlane.Stats;

/// <summary>GET /debug/stat, /debug/stat/history and /debug/edges on the admin API (camelCase JSON), for `meshctl stat` and the dashboard.</summary>
internal static class StatsEndpoints
{
    public static IEndpointRouteBuilder MapStatsEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet("/debug/stat", (StatsQuery query, StatsOptions options, string? @namespace, string? service, string? window) =>
            ParseWindow(window, options) is { } span
                ? Results.Ok(query.Stat(NullIfEmpty(@namespace), NullIfEmpty(service), span))
                : BadWindow(window, options));
        endpoints.MapGet("/debug/stat/history", (StatsQuery query, StatsOptions options, string? @namespace, string? service, string? source, string? window, string? step) =>
        {
            var (parameters, error) = StatHistoryParameters.Parse(@namespace, service, source, window, step, options);
            if (parameters is null)
            {
                return Results.Text(error, statusCode: StatusCodes.Status400BadRequest);
            }

            // 404 like /debug/services/{ns}/{name}, so a misspelt name is not mistaken for a quiet Service.
            return query.History(parameters) is { } history
                ? Results.Ok(history)
                : Results.NotFound(new { error = $"services \"{parameters.Service.Service}\" not found in namespace {parameters.Service.Namespace}, and no sidecar routed to it in the window" });
        });
        endpoints.MapGet("/debug/edges", (StatsQuery query, StatsOptions options, string? window) =>
            ParseWindow(window, options) is { } span ? Results.Ok(query.Edges(span)) : BadWindow(window, options));
        return endpoints;
    }

    /// <summary>"30s", "1m", "500ms"; the default when absent; null when malformed, not positive or beyond the retention.</summary>
    internal static TimeSpan? ParseWindow(string? text, StatsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(text))
        {
            return StatsOptions.DefaultWindow;
        }

        try
        {
            var window = ControlPlaneOptions.ParseDuration("window", text);
            return window > TimeSpan.Zero && window <= options.Retention ? window : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static IResult BadWindow(string? text, StatsOptions options) =>
        Results.Text(WindowError(text, options), statusCode: StatusCodes.Status400BadRequest);

    internal static string WindowError(string? text, StatsOptions options) =>
        $"window: expected a duration with a unit (ms, s, m) above 0 and at most {options.Retention.TotalMinutes:0}m, got \"{text}\"";

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
