using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace MeshNet.Cli.Demo;

/// <summary>
/// Sends GET / for the frontend Service through a client sidecar's outbound listener, the way the blog's own
/// frontend calls its backends: the request goes to the listener and the Host header names the Service.
/// </summary>
internal sealed class DemoTraffic(HttpClient http, Uri outbound, string host, TimeProvider time)
{
    /// <summary>One request; never throws for a mesh failure, which is reported in the outcome instead.</summary>
    public async Task<DemoOutcome> SendAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        using var request = new HttpRequestMessage(HttpMethod.Get, outbound);
        request.Headers.Host = host;
        try
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var reason = response.Headers.TryGetValues("x-meshnet-error", out var values) ? " " + string.Join(",", values) : string.Empty;
                return DemoOutcome.Failed(time.GetElapsedTime(started),
                    string.Create(CultureInfo.InvariantCulture, $"{host}: {(int)response.StatusCode}{reason}"));
            }

            var reply = await response.Content.ReadFromJsonAsync(DemoJsonContext.Default.FrontendReply, cancellationToken).ConfigureAwait(false);
            var latency = time.GetElapsedTime(started);
            return reply is null ? DemoOutcome.Failed(latency, $"{host}: empty reply") : DemoOutcome.FromReply(latency, reply);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException
            || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return DemoOutcome.Failed(time.GetElapsedTime(started), $"{host}: {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>
    /// Runs <paramref name="concurrency"/> workers until <paramref name="duration"/> is over. With a rate, request i
    /// is due at start + i/rate (an open schedule, so a slow reply does not lower the offered load); without one,
    /// each worker sends its next request as soon as the previous one returns.
    /// </summary>
    public async Task RunAsync(TimeSpan duration, int requestsPerSecond, int concurrency, DemoRecorder recorder, CancellationToken cancellationToken)
    {
        var start = time.GetTimestamp();
        long issued = -1;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(duration);

        async Task WorkerAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                if (requestsPerSecond > 0)
                {
                    var due = TimeSpan.FromSeconds(Interlocked.Increment(ref issued) / (double)requestsPerSecond);
                    if (due >= duration)
                    {
                        return;
                    }

                    var wait = due - time.GetElapsedTime(start);
                    if (wait > TimeSpan.Zero)
                    {
                        try
                        {
                            await Task.Delay(wait, time, stop.Token).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException)
                        {
                            return;
                        }
                    }
                }

                // The request itself is not tied to the duration: one in flight when time is up still counts.
                recorder.Record(await SendAsync(cancellationToken).ConfigureAwait(false));
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, concurrency)).Select(_ => Task.Run(WorkerAsync, CancellationToken.None)))
            .ConfigureAwait(false);
    }
}
