using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using MeshNet.EndToEnd.Tests.Harness;

namespace MeshNet.EndToEnd.Tests.Dashboard;

/// <summary>
/// The blog sample as `meshctl demo` runs it (samples/blog under `meshctl up --mode loopback`), with traffic into the
/// frontend's LoadBalancer address (through the gateway, as a browser's would come) until disposed, so the control
/// plane's stats and the dashboard have something to show.
/// </summary>
internal sealed partial class BlogDemoMesh : IAsyncDisposable
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromMinutes(4);

    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource _running = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopTraffic = new();
    private readonly Process _meshctl;
    private Task _traffic = Task.CompletedTask;
    private long _answered;
    private long _sent;
    private Uri? _frontend;

    private BlogDemoMesh(Process meshctl) => _meshctl = meshctl;

    /// <summary>The control plane's admin listener, e.g. http://127.0.0.1:40123/.</summary>
    public Uri Admin { get; private set; } = null!;

    public HttpClient Client { get; } = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };

    public string Output => string.Join('\n', _output);

    public string TrafficSummary => $"{Interlocked.Read(ref _answered)}/{Interlocked.Read(ref _sent)} frontend requests answered 200";

    public static async Task<BlogDemoMesh> StartAsync()
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(MeshBinaries.Find("MeshNet.Cli", "meshctl.dll"));
        foreach (var argument in new[]
        {
            "up", Path.Combine(DashboardPaths.RepositoryRoot, "samples", "blog"),
            "--mode", "loopback", "--pod-network", $"127.{Random.Shared.Next(130, 250)}.3.0",
        })
        {
            info.ArgumentList.Add(argument);
        }

        // meshctl finds the app binaries itself; a folder meant for the test's own lookups would hide them.
        info.Environment.Remove(MeshBinaries.BinDirVariable);
        var mesh = new BlogDemoMesh(new Process { StartInfo = info });
        try
        {
            await mesh.RunAsync();
            return mesh;
        }
        catch
        {
            await mesh.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopTraffic.CancelAsync();
        await _traffic;
        if (IsStarted() && !_meshctl.HasExited)
        {
            await Terminate.GracefullyAsync(_meshctl);
        }

        _meshctl.Dispose();
        _stopTraffic.Dispose();
        Client.Dispose();
    }

    private bool IsStarted()
    {
        try
        {
            _ = _meshctl.Id;
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private async Task RunAsync()
    {
        _meshctl.OutputDataReceived += (_, e) => OnLine(e.Data);
        _meshctl.ErrorDataReceived += (_, e) => _output.Enqueue("stderr: " + e.Data);
        _meshctl.Start();
        _meshctl.BeginOutputReadLine();
        _meshctl.BeginErrorReadLine();
        try
        {
            await _running.Task.WaitAsync(StartDeadline);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"meshctl up did not get running:\n{Output}");
        }

        if (Admin is null || _frontend is null)
        {
            throw new InvalidOperationException($"meshctl up printed no admin URL or no frontend LoadBalancer URL:\n{Output}");
        }

        await WaitUntilServingAsync();
        _traffic = Task.Run(() => SendTrafficAsync(_stopTraffic.Token));
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        if (AdminLine().Match(line) is { Success: true } admin)
        {
            Admin = new Uri(admin.Groups["url"].Value);
        }

        if (FrontendLoadBalancerLine().Match(line) is { Success: true } frontend)
        {
            _frontend = new Uri(frontend.Groups["url"].Value);
        }

        if (line.StartsWith("running;", StringComparison.Ordinal))
        {
            _running.TrySetResult();
        }
    }

    private async Task WaitUntilServingAsync()
    {
        var deadline = Stopwatch.StartNew();
        var last = string.Empty;
        while (deadline.Elapsed < StartDeadline)
        {
            try
            {
                using var response = await Client.GetAsync(FrontendUrl());
                last = await response.Content.ReadAsStringAsync();
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
            }

            await Task.Delay(500);
        }

        throw new TimeoutException($"the blog frontend never answered; last: {last}\n{Output}");
    }

    /// <summary>About 20 requests a second to the frontend, each fanning out to users, posts, comments.</summary>
    private async Task SendTrafficAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                Interlocked.Increment(ref _sent);
                try
                {
                    using var response = await Client.GetAsync(FrontendUrl(), cancellationToken);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref _answered);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    _output.Enqueue("traffic: " + e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed: the traffic stops with the mesh.
        }
    }

    private Uri FrontendUrl() => _frontend!;

    [GeneratedRegex(@"^control plane\s+grpc\s+\S+\s+admin\s+(?<url>http://\S+)")]
    private static partial Regex AdminLine();

    [GeneratedRegex(@"^frontend\.blog: (?<url>http://\S+) \(LoadBalancer\)")]
    private static partial Regex FrontendLoadBalancerLine();
}
