using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using MeshNet.EndToEnd.Tests.Harness;
using static MeshNet.EndToEnd.Tests.MeshScenario;

namespace MeshNet.EndToEnd.Tests.Rotation;

/// <summary>
/// Constant load while certificates rotate. Mesh traffic: workers send GETs to the backend Service through the
/// client's sidecar without pause (sidecar-to-sidecar mTLS on pooled connections). Handshakes: a prober opens a new
/// TLS 1.3 connection for every request straight to each backend sidecar's inbound listener, with a client leaf of
/// the CA in force and checking the served chain against the roots in force, so every rotated leaf and every bundle
/// change meets fresh handshakes. Every failure of either kind is kept with its time.
/// </summary>
internal sealed class RotationLoad : IAsyncDisposable
{
    private const int MeshWorkers = 2;

    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(100);

    // Constant, not flat out: two cores run the whole mesh, and a starved sidecar would fail for the wrong reason.
    private static readonly TimeSpan MeshPause = TimeSpan.FromMilliseconds(10);

    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly MeshClient _mesh;
    private readonly HttpClient _prober;
    private readonly Func<X509Certificate2> _clientLeaf;
    private readonly Func<X509Certificate2[]> _trustedRoots;
    private readonly Task[] _tasks;
    private long _meshRequests;
    private long _handshakes;

    /// <param name="clientLeaf">The prober's certificate for the next handshake.</param>
    /// <param name="trustedRoots">The roots a served chain must end at, for the next handshake.</param>
    public RotationLoad(RotationMesh mesh, Func<X509Certificate2> clientLeaf, Func<X509Certificate2[]> trustedRoots)
    {
        _clientLeaf = clientLeaf;
        _trustedRoots = trustedRoots;
        _mesh = new MeshClient(mesh.Client.RequiredSidecar.Outbound);
        _prober = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            PooledConnectionLifetime = TimeSpan.Zero,
            SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = SslProtocols.Tls13,
                LocalCertificateSelectionCallback = (_, _, _, _, _) => _clientLeaf(),
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is not null && RotationCa.ChainsTo(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()), _trustedRoots()),
            },
        })
        {
            Timeout = TimeSpan.FromSeconds(10),
        };
        var inbounds = mesh.Backends.Select(b => b.RequiredSidecar.Inbound).ToArray();
        _tasks = [.. Enumerable.Range(0, MeshWorkers).Select(_ => MeshAsync()), ProbeAsync(inbounds)];
    }

    public long MeshRequests => Interlocked.Read(ref _meshRequests);

    public long Handshakes => Interlocked.Read(ref _handshakes);

    public IReadOnlyCollection<string> Failures => _failures;

    public override string ToString() =>
        $"{MeshRequests} mesh requests, {Handshakes} fresh mTLS handshakes, {_failures.Count} failures" +
        (_failures.TryPeek(out var first) ? $"; first: {first}" : string.Empty);

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_tasks);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _prober.Dispose();
        _mesh.Dispose();
        _stop.Dispose();
    }

    private async Task MeshAsync()
    {
        await Task.Yield();
        while (!_stop.IsCancellationRequested)
        {
            var response = await _mesh.GetAsync(BackendUrl);
            Interlocked.Increment(ref _meshRequests);
            if (!response.Succeeded)
            {
                Fail($"mesh request: {response}");
            }

            try
            {
                await Task.Delay(MeshPause, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ProbeAsync(IPEndPoint[] inbounds)
    {
        await Task.Yield();
        while (!_stop.IsCancellationRequested)
        {
            foreach (var inbound in inbounds)
            {
                try
                {
                    using var response = await _prober.GetAsync($"https://{inbound}/healthz");
                    Interlocked.Increment(ref _handshakes);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        Fail($"handshake to {inbound}: answered {(int)response.StatusCode}");
                    }
                }
                catch (HttpRequestException ex)
                {
                    Interlocked.Increment(ref _handshakes);
                    Fail($"handshake to {inbound}: {ex.GetBaseException().Message}");
                }
                catch (TaskCanceledException ex) when (!_stop.IsCancellationRequested)
                {
                    Fail($"handshake to {inbound}: timeout {ex.Message}");
                }
                catch (TaskCanceledException)
                {
                    return;
                }
            }

            try
            {
                await Task.Delay(ProbeInterval, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Fail(string what) => _failures.Enqueue($"{_clock.Elapsed.TotalSeconds:F1}s {what}");
}
