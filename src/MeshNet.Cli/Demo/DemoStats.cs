using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using MeshNet.Cli.Commands;

namespace MeshNet.Cli.Demo;

/// <summary>
/// The demo's closing `meshctl stat`: the blog's golden metrics as the control plane aggregated them from the
/// sidecars, shown once it has scraped them after the traffic ended.
/// </summary>
internal static class DemoStats
{
    // The control plane scrapes every 5 s by default: two intervals and some slack for the last one to land.
    private static readonly TimeSpan ScrapeWait = TimeSpan.FromSeconds(12);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    /// <param name="sent">Requests the demo sent to the frontend; the stats are complete once they count at least as many.</param>
    /// <param name="window">The measured traffic's duration; the scrape lag is added to it.</param>
    public static async Task<string> FormatAsync(
        HttpClient http, Uri controlPlane, int sent, TimeSpan window, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        var seconds = (int)Math.Ceiling((window + TimeSpan.FromSeconds(5)).TotalSeconds);
        var request = new StatRequest(DemoOptions.Namespace, null, string.Create(CultureInfo.InvariantCulture, $"{seconds}s"), Json: false);
        var heading = $"meshctl stat -n {DemoOptions.Namespace} --window {request.Window}\n";
        var deadline = time.GetUtcNow() + ScrapeWait;
        List<StatRow> rows;
        try
        {
            while (true)
            {
                rows = await http.GetFromJsonAsync(request.Url(controlPlane), StatJsonContext.Default.ListStatRow, cancellationToken).ConfigureAwait(false) ?? [];
                var frontend = rows.FirstOrDefault(r => r.Service == DemoOptions.FrontendHost.Split('.')[0]);
                if ((frontend is not null && frontend.Requests >= sent) || time.GetUtcNow() >= deadline)
                {
                    break;
                }

                await Task.Delay(PollInterval, time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return heading + $"(no stats from the control plane at {controlPlane}: {e.Message})\n";
        }

        return heading + (rows.Count == 0 ? "(no Services)\n" : StatTable.Format(rows, allNamespaces: false));
    }
}
