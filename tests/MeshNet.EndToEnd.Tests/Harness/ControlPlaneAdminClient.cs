using System.Net;
using System.Net.Http.Json;

namespace MeshNet.EndToEnd.Tests.Harness;

/// <summary>The control plane's admin HTTP API, typed.</summary>
internal sealed class ControlPlaneAdminClient(IPEndPoint admin) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false })
    {
        BaseAddress = new Uri($"http://{admin}/"),
        Timeout = TimeSpan.FromSeconds(5),
    };

    public async Task<HttpStatusCode> ReadyzAsync()
    {
        using var response = await _http.GetAsync("readyz");
        return response.StatusCode;
    }

    /// <summary>A join token for namespace/service account, as `meshctl token create` asks for one.</summary>
    public async Task<SidecarIdentity> CreateJoinTokenAsync(string ns, string serviceAccount)
    {
        using var response = await _http.PostAsJsonAsync("identity/tokens", new { @namespace = ns, serviceAccount, ttl = "1h" });
        response.EnsureSuccessStatusCode();
        using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return new SidecarIdentity(serviceAccount, body.RootElement.GetProperty("token").GetString()!);
    }

    public async Task<IReadOnlyList<ProxyStatus>> ProxiesAsync() =>
        await _http.GetFromJsonAsync<List<ProxyStatus>>("debug/proxies", AdminJson.Options) ?? [];

    public async Task<IReadOnlyList<ServiceStatus>> ServicesAsync() =>
        await _http.GetFromJsonAsync<List<ServiceStatus>>("debug/services", AdminJson.Options) ?? [];

    public async Task<IReadOnlyList<ResourceErrorStatus>> ErrorsAsync() =>
        await _http.GetFromJsonAsync<List<ResourceErrorStatus>>("debug/errors", AdminJson.Options) ?? [];

    public async Task<ProxyStatus?> ProxyAsync(string ns, string name) =>
        (await ProxiesAsync()).FirstOrDefault(p => p.Namespace == ns && p.Name == name);

    public async Task<ServiceStatus?> ServiceAsync(string ns, string name) =>
        (await ServicesAsync()).FirstOrDefault(s => s.Namespace == ns && s.Name == name);

    public void Dispose() => _http.Dispose();
}
