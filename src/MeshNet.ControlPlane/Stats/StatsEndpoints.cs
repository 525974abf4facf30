using MeshNet.ControlPlane.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MeshNet.ControlPlane.Stats;

/// <summary>GET /debug/stat and /debug/edges on the admin API (camelCase JSON), for `meshctl stat` and the dashboard.</summary>
internal static class StatsEndpoints
{
    public static IEndpointRouteBuilder MapStatsEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet("/debug/stat", (StatsQuery query, StatsOptions options, string? @namespace, string? service, string? window) =>
            ParseWindow(window, options) is { } span
                ? Results.Ok(query.Stat(NullIfEmpty(@namespace), NullIfEmpty(service), span))
                : BadWindow(window, options));
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
        Results.Text(
            $"window: expected a duration with a unit (ms, s, m) above 0 and at most {options.Retention.TotalMinutes:0}m, got \"{text}\"",
            statusCode: StatusCodes.Status400BadRequest);

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
