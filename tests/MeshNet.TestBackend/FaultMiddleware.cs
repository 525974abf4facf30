namespace MeshNet.TestBackend;

/// <summary>
/// Applies the fault settings to application requests and counts every outcome. Health checks and the
/// <c>/__</c> control endpoints pass untouched: a faulty backend must stay ready, so the mesh's own
/// defences (retries, ejection, timeouts) are what the tests see at work.
/// </summary>
internal static class FaultMiddleware
{
    public const string ControlPrefix = "/__";

    public static void UseFaults(this WebApplication app, BackendOptions options, FaultState state)
    {
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            if (path.StartsWithSegments("/healthz") || path.Value?.StartsWith(ControlPrefix, StringComparison.Ordinal) == true)
            {
                await next(context);
                return;
            }

            var sequence = state.CountRequest();
            var faults = state.Settings;
            var aborted = context.RequestAborted;
            try
            {
                if (faults.DelayMs > 0)
                {
                    await Task.Delay(faults.DelayMs, aborted);
                }

                if (faults.Hang)
                {
                    state.CountHung();
                    await Task.Delay(Timeout.Infinite, aborted);
                }
            }
            catch (OperationCanceledException) when (aborted.IsCancellationRequested)
            {
                // The caller gave up (a per-try or request timeout): that is the outcome being tested.
                return;
            }

            if (faults.Reset)
            {
                state.CountReset();
                context.Abort();
                return;
            }

            context.Response.Headers[HttpEchoEndpoints.BackendHeader] = options.Name;
            if (FaultState.Fails(sequence, faults.FailRate))
            {
                state.CountFailed();
                state.CountStatus(faults.FailStatus);
                context.Response.StatusCode = faults.FailStatus;
                await context.Response.WriteAsync($"fault injected by {options.Name}", aborted);
                return;
            }

            await next(context);
            state.CountStatus(context.Response.StatusCode);
        });
    }

    /// <summary><c>GET|PUT /__faults</c> reads or replaces the settings; <c>GET /__stats</c> the counters, <c>DELETE</c> clears them.</summary>
    public static void MapFaultControl(this WebApplication app, FaultState state)
    {
        app.MapGet("/__faults", () => Results.Json(state.Settings, FaultJsonContext.Default.FaultSettings));
        app.MapPut("/__faults", async (HttpContext context) =>
        {
            FaultSettings? settings;
            try
            {
                settings = await context.Request.ReadFromJsonAsync(FaultJsonContext.Default.FaultSettings, context.RequestAborted);
                state.Settings = (settings ?? FaultSettings.None).Validated();
            }
            catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException)
            {
                return Results.Text(ex.Message, statusCode: StatusCodes.Status400BadRequest);
            }

            return Results.Json(state.Settings, FaultJsonContext.Default.FaultSettings);
        });
        app.MapGet("/__stats", () => Results.Json(state.Snapshot(), FaultJsonContext.Default.BackendStats));
        app.MapDelete("/__stats", () =>
        {
            state.Clear();
            return Results.NoContent();
        });
    }
}
