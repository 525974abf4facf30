using System.Diagnostics;

namespace MeshNet.EndToEnd.Tests.Harness;

/// <summary>
/// Polling with a deadline, for end-to-end conditions that have no event to wait on (another process's state).
/// A probe that throws (a listener not up yet) counts as "not yet".
/// </summary>
internal static class Poll
{
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Polls until <paramref name="done"/> holds and returns the last value and the time it took.</summary>
    /// <param name="interval">Between probes; 50 ms unless a measurement needs a finer grain.</param>
    public static async Task<(T Value, TimeSpan Elapsed)> UntilAsync<T>(
        Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what, TimeSpan? interval = null)
    {
        var clock = Stopwatch.StartNew();
        var last = "no answer yet";
        while (true)
        {
            try
            {
                var value = await probe();
                if (done(value))
                {
                    return (value, clock.Elapsed);
                }

                last = Describe(value);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException or System.Text.Json.JsonException)
            {
                last = $"{ex.GetType().Name}: {ex.Message}";
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"after {timeout.TotalSeconds}s still not: {what}; last seen: {last}");
            }

            await Task.Delay(interval ?? DefaultInterval);
        }
    }

    public static async Task<TimeSpan> UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what) =>
        (await UntilAsync(condition, static ok => ok, timeout, what)).Elapsed;

    private static string Describe<T>(T value) => value switch
    {
        null => "null",
        System.Collections.IEnumerable items and not string =>
            "[" + string.Join(", ", items.Cast<object?>().Select(i => i?.ToString())) + "]",
        _ => value.ToString() ?? string.Empty,
    };
}
