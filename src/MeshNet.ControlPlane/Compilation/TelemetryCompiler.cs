using MeshNet.Model;
using MeshNet.Protocol.V1;

namespace MeshNet.ControlPlane.Compilation;

/// <summary>
/// What a sidecar reports about traffic: the workload name its metrics carry (the owning Deployment or StatefulSet,
/// so every replica shares one label value; else the pod's name) and whether it writes an access log, from the pod
/// annotation <c>meshnet.io/access-log</c> ("json" or "off"). An invalid value is reported against the pod and
/// leaves the log off.
/// </summary>
internal static class TelemetryCompiler
{
    public const string AccessLogAnnotation = "meshnet.io/access-log";

    /// <summary>Where an invalid annotation is reported: the field, as /debug/errors shows it.</summary>
    public const string AccessLogField = "metadata.annotations[" + AccessLogAnnotation + "]";

    public static Protocol.V1.Telemetry Compile(ProxyIdentity proxy)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        return new Protocol.V1.Telemetry
        {
            Workload = proxy.Owner ?? proxy.Name,
            AccessLog = ParseAccessLog(proxy.Annotations) ?? AccessLogFormat.AccessLogOff,
        };
    }

    /// <summary>The workload's annotation errors (none when valid), reported as the pod's.</summary>
    public static IReadOnlyList<ResourceError> Validate(Workload workload, string origin)
    {
        ArgumentNullException.ThrowIfNull(workload);
        if (workload.Annotations is null || !workload.Annotations.TryGetValue(AccessLogAnnotation, out var value) || ParseAccessLog(workload.Annotations) is not null)
        {
            return [];
        }

        return
        [
            new ResourceError(
                origin,
                null,
                new ResourceKey("Pod", workload.Namespace, workload.Name),
                AccessLogField,
                $"\"{value}\" is not an access log format (json, off)"),
        ];
    }

    /// <summary>The format the annotation asks for; off when absent; null when the value is not one we know.</summary>
    private static AccessLogFormat? ParseAccessLog(System.Collections.Immutable.ImmutableDictionary<string, string>? annotations) =>
        annotations is null || !annotations.TryGetValue(AccessLogAnnotation, out var value)
            ? AccessLogFormat.AccessLogOff
            : value switch
            {
                "json" => AccessLogFormat.AccessLogJson,
                "off" or "" => AccessLogFormat.AccessLogOff,
                _ => null,
            };
}
