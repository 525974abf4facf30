using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshNet.Cli.Local;

/// <summary>The part of the control plane's GET /debug/proxies entries the runner reads.</summary>
internal sealed record ProxyStatus(string Name, string Namespace, bool Ready);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(List<ProxyStatus>))]
[JsonSerializable(typeof(List<Gateway.ServiceStatus>))]
[JsonSerializable(typeof(System.Text.Json.Nodes.JsonArray))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
