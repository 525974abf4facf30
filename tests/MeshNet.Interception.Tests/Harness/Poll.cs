using System.Diagnostics;

namespace MeshNet.Interception.Tests.Harness;

/// <summary>End-to-end waits: poll a condition until a deadline, then fail with the last value seen.</summary>
public static class Poll
{
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        T last;
        do
        {
            last = await probe();
            if (done(last))
            {
                return last;
            }

            await Task.Delay(100);
        }
        while (clock.Elapsed < timeout);

        throw new TimeoutException($"{what} not reached within {timeout.TotalSeconds:0} s; last: {last}");
    }
}
