using System.Text.Json;
using MeshNet.EndToEnd.Tests.Harness;

namespace MeshNet.EndToEnd.Tests.Rotation;

/// <summary>A sidecar's GET /certs, the parts rotation tests read.</summary>
internal sealed record SidecarCerts(
    string? Identity,
    DateTimeOffset? NotBefore,
    DateTimeOffset? NotAfter,
    IReadOnlyList<string> Bundle,
    int RenewalFailures,
    IReadOnlyDictionary<string, long> Refused)
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };

    public static async Task<SidecarCerts> GetAsync(SidecarProcess sidecar)
    {
        using var json = JsonDocument.Parse(await Http.GetStringAsync($"http://{sidecar.Admin}/certs"));
        var root = json.RootElement;
        return new SidecarCerts(
            root.GetProperty("identity").GetString(),
            Time(root.GetProperty("notBefore")),
            Time(root.GetProperty("notAfter")),
            [.. root.GetProperty("bundle").EnumerateArray().Select(s => s.GetString()!)],
            root.GetProperty("renewal") is { ValueKind: JsonValueKind.Object } renewal ? renewal.GetProperty("failures").GetInt32() : 0,
            root.GetProperty("refused").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64()));
    }

    private static DateTimeOffset? Time(JsonElement element) =>
        element.ValueKind == JsonValueKind.Null ? null : element.GetDateTimeOffset();
}
