using System.Net;
using System.Text.RegularExpressions;

namespace MeshNet.EndToEnd.Tests.Harness;

/// <summary>A sidecar's admin listener: readiness and the config it has applied.</summary>
internal sealed class SidecarAdminClient(IPEndPoint admin) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false })
    {
        BaseAddress = new Uri($"http://{admin}/"),
        Timeout = TimeSpan.FromSeconds(5),
    };

    public async Task<bool> IsReadyAsync()
    {
        using var response = await _http.GetAsync("ready");
        return response.IsSuccessStatusCode;
    }

    /// <summary>The applied config as its raw JSON, whose exact shape belongs to the sidecar.</summary>
    public Task<string> ConfigJsonAsync() => _http.GetStringAsync("config");

    /// <summary>Whether the applied config names <paramref name="address"/> (e.g. as an endpoint) at all.</summary>
    public async Task<bool> ConfigMentionsAsync(IPAddress address)
    {
        var json = await ConfigJsonAsync();
        return MentionPattern(address).IsMatch(json);
    }

    // Whole addresses only: 127.0.2.1 must not match inside 127.0.2.14.
    private static Regex MentionPattern(IPAddress address) =>
        new($@"(?<![\d.]){Regex.Escape(address.ToString())}(?![\d])", RegexOptions.CultureInvariant);

    public void Dispose() => _http.Dispose();
}
