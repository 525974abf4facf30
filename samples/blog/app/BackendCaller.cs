using System.Net.Http.Json;

namespace BlogApp;

/// <summary>
/// Calls the blog's backend Services by name. In a cluster the pod's traffic is intercepted, so the URL is
/// simply http://posts.blog/. In loopback mode the app talks to its sidecar's outbound listener explicitly:
/// the request goes to that listener and the Host header names the Service, which is how the sidecar routes.
/// </summary>
internal sealed class BackendCaller(HttpClient http, BlogSettings settings)
{
    public Task<CallResult[]> CallAllAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(settings.Backends.Select(backend => CallAsync(backend, cancellationToken)));

    private async Task<CallResult> CallAsync(string backend, CancellationToken cancellationToken)
    {
        var host = $"{backend}.{settings.PodNamespace}";
        using var request = new HttpRequestMessage(HttpMethod.Get, settings.Outbound ?? new Uri($"http://{host}/"));
        request.Headers.Host = host;
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var reason = response.Headers.TryGetValues("x-meshnet-error", out var values)
                    ? string.Join(",", values)
                    : response.ReasonPhrase;
                return new CallResult(backend, false, (int)response.StatusCode, null, reason);
            }

            var reply = await response.Content.ReadFromJsonAsync<ServiceReply>(cancellationToken);
            return new CallResult(backend, reply is not null, (int)response.StatusCode, reply,
                reply is null ? "empty reply" : null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            return new CallResult(backend, false, null, null, e.Message);
        }
    }
}
