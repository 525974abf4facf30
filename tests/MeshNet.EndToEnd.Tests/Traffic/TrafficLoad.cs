using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MeshNet.EndToEnd.Tests.Harness;

namespace MeshNet.EndToEnd.Tests.Traffic;

/// <summary>
/// Sends requests for the "backend" Service through a client pod's sidecar outbound listener, many at once,
/// and keeps every outcome with its timing. A source address can be chosen (loopback allows any 127.x address),
/// which is how a test stands in for several client IPs.
/// </summary>
internal sealed class TrafficLoad : IDisposable
{
    private readonly SocketsHttpHandler _handler;
    private readonly HttpClient _http;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public TrafficLoad(IPEndPoint outbound, IPAddress? source = null, TimeSpan? timeout = null)
    {
        _handler = new SocketsHttpHandler
        {
            UseProxy = false,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    if (source is not null)
                    {
                        socket.Bind(new IPEndPoint(source, 0));
                    }

                    await socket.ConnectAsync(outbound, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        _http = new HttpClient(_handler) { Timeout = timeout ?? TimeSpan.FromSeconds(15) };
    }

    /// <summary>One GET of <paramref name="path"/> on the backend Service with optional extra headers.</summary>
    public async Task<Outcome> SendAsync(string path = "/", IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, MeshScenario.BackendUrl.TrimEnd('/') + path);
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var started = _clock.Elapsed;
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            await response.Content.ReadAsByteArrayAsync(cancellationToken);
            return new Outcome(started, _clock.Elapsed - started, (int)response.StatusCode, Header(response, MeshClient.BackendHeader), Header(response, MeshClient.ErrorHeader), null);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new Outcome(started, _clock.Elapsed - started, 0, null, null, ex.GetBaseException().Message);
        }
    }

    /// <summary>Sends <paramref name="count"/> requests with at most <paramref name="concurrency"/> in flight.</summary>
    /// <param name="headers">Headers of request number i (null: none).</param>
    public async Task<LoadResult> RunAsync(int count, int concurrency, Func<int, IReadOnlyDictionary<string, string>?>? headers = null)
    {
        var outcomes = new Outcome[count];
        var next = -1;
        var started = _clock.Elapsed;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                outcomes[i] = await SendAsync(headers: headers?.Invoke(i));
            }
        }));
        return new LoadResult(outcomes, _clock.Elapsed - started);
    }

    /// <summary>Sends with <paramref name="concurrency"/> in flight until <paramref name="stop"/> is cancelled; keeps every outcome.</summary>
    public async Task<LoadResult> RunUntilAsync(int concurrency, CancellationToken stop)
    {
        var outcomes = new List<Outcome>();
        var gate = new Lock();
        var started = _clock.Elapsed;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                var outcome = await SendAsync();
                lock (gate)
                {
                    outcomes.Add(outcome);
                }
            }
        }));
        return new LoadResult([.. outcomes.OrderBy(o => o.Started)], _clock.Elapsed - started);
    }

    /// <summary>The time on this load's clock, to compare with <see cref="Outcome.Started"/>.</summary>
    public TimeSpan Now => _clock.Elapsed;

    public void Dispose() => _http.Dispose();

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}

/// <summary>One request: when it started (on the load's clock), how long it took, and how it ended.</summary>
/// <param name="Status">0 when no response came (connection failure, client timeout).</param>
internal sealed record Outcome(TimeSpan Started, TimeSpan Latency, int Status, string? Backend, string? MeshError, string? Failure)
{
    public bool Ok => Status == 200 && Backend is not null;

    public TimeSpan Ended => Started + Latency;

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Status} {Backend ?? "-"} {MeshError ?? string.Empty} {Latency.TotalMilliseconds:F0}ms {Failure}").TrimEnd();
}

/// <summary>The outcomes of a run, with the shares and summaries the scenarios assert on.</summary>
internal sealed record LoadResult(IReadOnlyList<Outcome> Outcomes, TimeSpan Elapsed)
{
    public int Count => Outcomes.Count;

    public int Succeeded => Outcomes.Count(o => o.Ok);

    public IReadOnlyList<Outcome> Failures => [.. Outcomes.Where(o => !o.Ok)];

    /// <summary>Successful answers by backend name.</summary>
    public IReadOnlyDictionary<string, int> ByBackend =>
        Outcomes.Where(o => o.Ok).GroupBy(o => o.Backend!).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    /// <summary>Share of successful answers (0..1) that came from backends for which <paramref name="which"/> holds.</summary>
    public double ShareOf(Func<string, bool> which) =>
        Succeeded == 0 ? 0 : (double)Outcomes.Count(o => o.Ok && which(o.Backend!)) / Succeeded;

    public LoadResult Where(Func<Outcome, bool> predicate) => this with { Outcomes = [.. Outcomes.Where(predicate)] };

    public override string ToString()
    {
        var failures = Failures;
        var byStatus = failures.GroupBy(o => $"{o.Status} {o.MeshError}".Trim()).Select(g => $"{g.Key} x{g.Count()}");
        return string.Create(CultureInfo.InvariantCulture, $"{Count} requests in {Elapsed.TotalSeconds:F2}s: {Succeeded} ok (")
            + string.Join(", ", ByBackend.OrderBy(b => b.Key, StringComparer.Ordinal).Select(b => $"{b.Key}={b.Value}"))
            + ")"
            + (failures.Count > 0 ? $"; failed: {string.Join(", ", byStatus)}; first: {failures[0]}" : string.Empty);
    }
}
