using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshNet.TestBackend;

/// <summary>The JSON body of every plain HTTP answer: enough for a test to see who served what, and how.</summary>
internal sealed record EchoResponse(string Name, string Path, string Host, string Protocol, int Port);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(EchoResponse))]
internal sealed partial class EchoJsonContext : JsonSerializerContext;
