using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MeshNet.ControlPlane.Admin;

/// <summary>
/// One part of a sidecar's admin output. routes, clusters, endpoints and dns are cut from its /config (the proto's
/// JSON: versionInfo always kept); certs is its /certs; all (or none given) is the whole /config.
/// </summary>
internal static class SidecarConfigSection
{
    public const string All = "all";
    public const string Certs = "certs";

    public static readonly IReadOnlyList<string> Names = [All, "routes", "clusters", "endpoints", "dns", Certs];

    // Endpoints live inside clusters in the proto, so that section is the clusters, read differently by the client.
    private static readonly Dictionary<string, string[]> Properties = new(StringComparer.Ordinal)
    {
        ["routes"] = ["virtualHosts"],
        ["clusters"] = ["clusters"],
        ["endpoints"] = ["clusters"],
        ["dns"] = ["dnsZone", "dnsServices", "dns"],
    };

    public static bool TryParse(string? text, out string section)
    {
        section = string.IsNullOrEmpty(text) ? All : text;
        return Names.Contains(section, StringComparer.Ordinal);
    }

    /// <summary>The sidecar admin path that holds <paramref name="section"/>.</summary>
    public static string PathOf(string section) => section == Certs ? "/certs" : "/config";

    /// <summary>The part of a /config document that <paramref name="section"/> asks for, as JSON.</summary>
    public static string Cut(string section, string json)
    {
        if (!Properties.TryGetValue(section, out var names))
        {
            return json;
        }

        var whole = JsonNode.Parse(json)?.AsObject() ?? [];
        var part = new JsonObject { ["versionInfo"] = whole["versionInfo"]?.DeepClone() };
        foreach (var name in names)
        {
            part[name] = whole[name]?.DeepClone() ?? (name == "dnsZone" || name == "dns" ? null : new JsonArray());
        }

        return part.ToJsonString();
    }
}

/// <summary>Reads a sidecar's admin listener for /debug/proxies/{ns}/{name}/config and /debug/explain?id=.</summary>
internal static class SidecarAdminClient
{
    // A config of a large mesh is some MB; more than this is not something to relay through the admin API.
    private const int MaxBytes = 32 * 1024 * 1024;

    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1) })
    {
        Timeout = TimeSpan.FromSeconds(5),
        MaxResponseContentBufferSize = MaxBytes,
    };

    /// <summary>The section's JSON, or an error saying why the sidecar could not give it.</summary>
    public static async Task<(string? Json, string? Error)> ReadAsync(string adminAddress, string section, CancellationToken cancellationToken)
    {
        if (!IPEndPoint.TryParse(adminAddress, out var admin) || admin.Port == 0)
        {
            return (null, "not an IP:port address");
        }

        try
        {
            using var response = await Http.GetAsync(new Uri($"http://{admin}{SidecarConfigSection.PathOf(section)}"), cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return (null, $"HTTP {(int)response.StatusCode}");
            }

            return (SidecarConfigSection.Cut(section, body), null);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (null, e.Message);
        }
    }

    /// <summary>The sidecar's GET /failures?id= within <paramref name="deadline"/>, or an error saying why not.</summary>
    public static async Task<(SidecarFailurePage? Page, string? Error)> ReadFailuresAsync(
        string? adminAddress, string id, TimeSpan deadline, CancellationToken cancellationToken)
    {
        if (adminAddress is null || !IPEndPoint.TryParse(adminAddress, out var admin) || admin.Port == 0)
        {
            return (null, "no admin address reported (Node.admin_address)");
        }

        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(deadline);
        try
        {
            using var response = await Http.GetAsync(new Uri($"http://{admin}/failures?id={Uri.EscapeDataString(id)}"), timer.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return (null, string.Create(CultureInfo.InvariantCulture, $"admin {admin} answered HTTP {(int)response.StatusCode}"));
            }

            var body = await response.Content.ReadAsStreamAsync(timer.Token).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                return (await JsonSerializer.DeserializeAsync(body, SidecarFailuresJsonContext.Default.SidecarFailurePage, timer.Token).ConfigureAwait(false), null);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, string.Create(CultureInfo.InvariantCulture, $"admin {admin} did not answer within {deadline.TotalSeconds:0.#}s"));
        }
        catch (Exception e) when (e is HttpRequestException or JsonException)
        {
            return (null, $"admin {admin}: {e.Message}");
        }
    }
}
