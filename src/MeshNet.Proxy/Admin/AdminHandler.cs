using Google.Protobuf;
using MeshNet.Proxy.Configuration;
using Microsoft.AspNetCore.Http;

namespace MeshNet.Proxy.Admin;

/// <summary>The admin listener: liveness, readiness (a config was applied) and the applied config as JSON.</summary>
internal sealed class AdminHandler(ConfigApplier applier)
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    public Task InvokeAsync(HttpContext context)
    {
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return Task.CompletedTask;
        }

        switch (context.Request.Path.Value)
        {
            case "/live":
                return Text(context, StatusCodes.Status200OK, "live");
            case "/ready":
                return applier.Current.IsApplied
                    ? Text(context, StatusCodes.Status200OK, "ready")
                    : Text(context, StatusCodes.Status503ServiceUnavailable, "no configuration applied yet");
            case "/config":
                context.Response.ContentType = "application/json";
                return context.Response.WriteAsync(Formatter.Format(applier.Current.ToFullState()), context.RequestAborted);
            default:
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
        }
    }

    private static Task Text(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain";
        return context.Response.WriteAsync(body, context.RequestAborted);
    }
}
