using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MeshNet.Cli.Local;

namespace MeshNet.Cli.Demo;

/// <summary>How many pods' sidecars hold a mesh certificate (their admin `/certs`), i.e. serve and speak mTLS.</summary>
internal static class MtlsCensus
{
    public static async Task<int> CountCertifiedAsync(HttpClient http, IEnumerable<PodPlan> pods, CancellationToken cancellationToken)
    {
        var certified = 0;
        foreach (var pod in pods)
        {
            try
            {
                var certs = await http.GetFromJsonAsync<JsonObject>(new Uri(pod.Sidecar.AdminUrl, "/certs"), cancellationToken).ConfigureAwait(false);
                if ((string?)certs?["identity"] is { Length: > 0 })
                {
                    certified++;
                }
            }
            catch (HttpRequestException)
            {
                // A sidecar that cannot answer is not counted as certified: the summary then says so.
            }
        }

        return certified;
    }
}
