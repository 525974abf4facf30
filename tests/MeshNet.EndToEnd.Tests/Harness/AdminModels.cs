using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshNet.EndToEnd.Tests.Harness;

// The control plane's admin JSON (camelCase), as the runtime contract spells it. Read leniently: a test should
// fail on the behaviour it checks, not on a number that arrived as a string.

internal sealed record ProxyStatus(
    string Name,
    string Namespace,
    string? Address,
    int InboundPort,
    Dictionary<string, string>? Labels,
    string? ServiceAccount,
    bool Ready,
    JsonElement ConnectedAt,
    string? AckedVersion,
    string? SentVersion,
    NackStatus? LastNack);

internal sealed record NackStatus(string? Version, string? Nonce, string? Message, JsonElement At);

internal sealed record ServiceStatus(
    string Namespace,
    string Name,
    string? Type,
    List<string>? ClusterIPs,
    List<ServicePortStatus>? Ports,
    List<EndpointStatus>? Endpoints);

internal sealed record ServicePortStatus(string? Name, int Port, JsonElement TargetPort, string? Protocol, string? AppProtocol);

internal sealed record EndpointStatus(int Port, string? Workload, string Address, int TargetPort, bool Ready, bool Meshed);

internal sealed record ResourceErrorStatus(string? Origin, JsonElement DocumentIndex, string? Resource, string? Field, string? Message);

internal static class AdminJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };
}
