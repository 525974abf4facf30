using Google.Protobuf;
using System.Text.Json.Nodes;
using MeshNet.Proxy.ClusterDns;
using MeshNet.Proxy.Configuration;
using MeshNet.Proxy.Identity;
using MeshNet.Proxy.Resilience;
using MeshNet.Proxy.Telemetry.Failures;
using MeshNet.Proxy.Telemetry.Metrics;
using MeshNet.Proxy.Tls;
using Microsoft.AspNetCore.Http;

namespace MeshNet.Proxy.Admin;

/// <summary>
/// The admin listener: liveness, readiness (a config was applied), the applied config as JSON and the outbound
/// clusters' resilience counters, the sidecar's certificate, Prometheus metrics, the recent failed requests.
/// </summary>
internal sealed class AdminHandler(
    ConfigApplier applier,
    DnsProxy dns,
    ResilienceRegistry resilience,
    ICertificateSource certificates,
    CertificateRenewer renewer,
    PeerRefusals refusals,
    MetricsEndpoint metrics,
    FailureRing failures,
    TimeProvider time)
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
                return context.Response.WriteAsync(ConfigJson(), context.RequestAborted);
            case "/stats":
                context.Response.ContentType = "application/json";
                return context.Response.WriteAsync(StatsJson.Format(resilience), context.RequestAborted);
            case "/metrics":
                return metrics.WriteAsync(context);
            case "/failures":
                context.Response.ContentType = "application/json";
                var id = context.Request.Query["id"];
                return context.Response.WriteAsync(
                    FailuresJson.Format(failures, applier.Current, id.Count > 0 ? id.ToString() : null), context.RequestAborted);
            case "/certs":
                context.Response.ContentType = "application/json";
                return context.Response.WriteAsync(CertsJson.Format(certificates, renewer.Status, refusals, time), context.RequestAborted);
            default:
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
        }
    }

    /// <summary>
    /// The applied config as the proto's JSON plus a "dns" object describing the DNS proxy. The object is spliced
    /// in before the closing brace so the proto formatter's output, which tools read, keeps its exact spelling.
    /// </summary>
    private string ConfigJson()
    {
        var current = applier.Current;
        var proto = Formatter.Format(current.ToFullState());
        var dnsJson = new JsonObject
        {
            ["listen"] = dns.LocalEndPoint?.ToString(),
            ["upstream"] = dns.Upstream?.ToString(),
            ["zone"] = current.DnsTable.Zone,
            ["services"] = current.DnsServices.Count,
            ["names"] = current.DnsTable.NameCount,
        }.ToJsonString();
        var head = proto[..proto.LastIndexOf('}')].TrimEnd();
        var separator = head.EndsWith('{') ? string.Empty : ",";
        return $"{head}{separator} \"dns\": {dnsJson} }}";
    }

    private static Task Text(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain";
        return context.Response.WriteAsync(body, context.RequestAborted);
    }
}
