using System.Globalization;
using System.Net;
using System.Text.Json;

namespace MeshNet.EndToEnd.Tests.Harness;

/// <summary>What one request through the mesh came back with.</summary>
internal sealed record MeshResponse(HttpStatusCode? Status, string? Backend, string? MeshError, Version? Version, string Body)
{
    public bool Succeeded => Status == HttpStatusCode.OK && Backend is not null;

    public static MeshResponse Failed(string reason) => new(null, null, null, null, reason);

    /// <summary>The test backend's JSON body, when the request reached one.</summary>
    public JsonElement Json => JsonSerializer.Deserialize<JsonElement>(Body);

    public override string ToString() =>
        Succeeded ? $"200 from {Backend}" : $"{(Status is { } s ? ((int)s).ToString(CultureInfo.InvariantCulture) : "no response")} {MeshError} {Body}".Trim();
}
