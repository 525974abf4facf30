using System.Collections.Immutable;
using MeshNet.Cli.Demo;
using MeshNet.Cli.Local;
using MeshNet.Cli.Local.Gateway;
using MeshNet.Cli.Output;

namespace MeshNet.Cli.Commands;

/// <summary>
/// `meshctl demo`: runs the blog sample, sends traffic to its frontend through a client sidecar, and reports
/// who answered. The product's first impression, so every failure names its cause and the log file.
/// </summary>
internal sealed class DemoCommand(DemoOptions options, TextWriter output, TextWriter progress, bool interactive, TimeProvider time)
{

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan WarmUpTimeout = TimeSpan.FromSeconds(60);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var manifests = MeshSession.ReadManifests(options.Directory);
        using var log = MeshSession.OpenLog("demo", options.Verbose, time);
        progress.WriteLine($"meshctl demo: starting {options.Directory} (logs: {log.FilePath})");
        try
        {
            using var session = await StartAsync(manifests, log, cancellationToken).ConfigureAwait(false);
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
            {
                Timeout = TimeSpan.FromSeconds(10),
            };

            var readiness = new MeshReadiness(http, session.Mesh.ControlPlaneAdmin, time);
            Uri target;
            if (session.Network is { } network)
            {
                // Netns mode: traffic enters like a browser's would, through the frontend's LoadBalancer address.
                await WaitForPodsAsync(session, readiness, cancellationToken).ConfigureAwait(false);
                // Stopped with the session's processes; the demo's Services do not change, so nothing follows them.
                var gateway = await session.WatchAsync(MeshGateway.StartAsync(
                    session.Mesh, http, MeshGateway.SidecarAddress(network.Options.GatewayNetwork), network.Options.GatewayNetwork, time, cancellationToken)).ConfigureAwait(false);
                var frontend = gateway.Plan.Services.FirstOrDefault(s => $"{s.Service.Name}.{s.Service.Namespace}" == DemoOptions.FrontendHost && s.External is not null)
                    ?? throw new ManifestException($"{DemoOptions.FrontendHost} is not a LoadBalancer Service: the demo has no way in");
                target = new Uri($"http://{frontend.External}");
                progress.WriteLine($"meshctl demo: frontend at {target} (LoadBalancer; pods in network namespaces on {network.Options.PodCidr})");
            }
            else
            {
                var client = ClientSidecar(session.Addresses);
                await session.WatchAsync(session.Mesh.StartSidecarAsync(client, cancellationToken)).ConfigureAwait(false);
                await WaitForPodsAsync(session, readiness, cancellationToken).ConfigureAwait(false);
                await session.WatchAsync(readiness.WaitForSidecarConfigAsync(client.AdminUrl, ReadyTimeout, cancellationToken)).ConfigureAwait(false);
                target = client.OutboundUrl;
            }

            var traffic = new DemoTraffic(http, target, DemoOptions.FrontendHost, time);
            await session.WatchAsync(WarmUpAsync(traffic, cancellationToken)).ConfigureAwait(false);
            var ready = time.GetElapsedTime(started);
            if (options.WarmUp > TimeSpan.Zero)
            {
                progress.WriteLine($"meshctl demo: warming up for {options.WarmUp.TotalSeconds:0.#} s (not measured)");
                await session.WatchAsync(traffic.RunAsync(options.WarmUp, options.RequestsPerSecond, options.Concurrency, new DemoRecorder(), cancellationToken))
                    .ConfigureAwait(false);
            }
            progress.WriteLine($"meshctl demo: {session.Mesh.Pods.Count} pods ready in {ready.TotalSeconds:0.0} s; sending traffic to http://{DemoOptions.FrontendHost}/ for {options.Duration.TotalSeconds:0.#} s");

            var recorder = new DemoRecorder();
            using var trafficDone = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var reporter = new ProgressReporter(progress, interactive, time).RunAsync(recorder, options.Duration, trafficDone.Token);
            var trafficStarted = time.GetTimestamp();
            await session.WatchAsync(traffic.RunAsync(options.Duration, options.RequestsPerSecond, options.Concurrency, recorder, cancellationToken)).ConfigureAwait(false);
            var elapsed = time.GetElapsedTime(trafficStarted);
            await trafficDone.CancelAsync().ConfigureAwait(false);
            await reporter.ConfigureAwait(false);

            var expected = manifests.SelectorServices.Select(s => s.Metadata.Name);
            var summary = recorder.Summarize(session.Mesh.Pods.Count, ready, elapsed, expected) with
            {
                CertifiedSidecars = await MtlsCensus.CountCertifiedAsync(http, session.Mesh.Pods, cancellationToken).ConfigureAwait(false),
            };
            output.Write(options.Json ? DemoSummaryFormatter.ToJson(summary) + "\n" : DemoSummaryFormatter.ToText(summary));
            if (!options.Json)
            {
                output.Write("\n" + await DemoStats.FormatAsync(http, session.Mesh.ControlPlaneAdmin, summary.Requests, elapsed, time, cancellationToken).ConfigureAwait(false));
                output.WriteLine($"\ndashboard: {new Uri(session.Mesh.ControlPlaneAdmin, "ui/")} (served while the mesh runs; `meshctl up {options.Directory}` keeps one running)");
            }

            return summary.Passed ? ExitCodes.Ok : ExitCodes.Failed;
        }
        catch (Exception e) when (e is ChildExitedException or TimeoutException or FileNotFoundException or ManifestException
            or InvalidOperationException or HttpRequestException or System.Net.Sockets.SocketException)
        {
            progress.WriteLine($"meshctl demo: {e.Message} (see {log.FilePath})");
            return ExitCodes.CouldNotRun;
        }
    }

    private async Task<MeshSession> StartAsync(LocalManifests manifests, ProcessLog log, CancellationToken cancellationToken)
    {
        await using var wait = WaitIndicator.Start(progress, interactive, "meshctl demo: ", "starting the control plane and the pods", time);
        return await MeshSession.StartAsync(options.Directory, manifests, options.PodNetwork, log, time, cancellationToken, options.Netns).ConfigureAwait(false);
    }

    private async Task WaitForPodsAsync(MeshSession session, MeshReadiness readiness, CancellationToken cancellationToken)
    {
        var total = session.Mesh.Pods.Count;
        await using var wait = WaitIndicator.Start(progress, interactive, "meshctl demo: ", $"0/{total} pods ready", time);
        await session.WatchAsync(readiness.WaitForPodsAsync(
            [.. session.Mesh.Pods.Select(p => p.Pod)], ReadyTimeout, ready => wait.Update($"{ready}/{total} pods ready"), cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// The sidecar that stands in for a browser: it has no app (its readiness probe fails, so it is never an
    /// endpoint), only an outbound listener that routes to the frontend Service.
    /// </summary>
    private static SidecarSettings ClientSidecar(PodAddressPool addresses) =>
        new(
            new PodIdentity(
                DemoOptions.ClientName,
                DemoOptions.Namespace,
                addresses.Next().ToString(),
                "default",
                ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [new KeyValuePair<string, string>("app", DemoOptions.ClientName)])),
            8080,
            [],
            null);

    /// <summary>
    /// Config reaches sidecars shortly after the pods turn ready (the control plane debounces), so the measured
    /// window starts only once one request has gone all the way through.
    /// </summary>
    private async Task WarmUpAsync(DemoTraffic traffic, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + WarmUpTimeout;
        DemoOutcome outcome;
        do
        {
            outcome = await traffic.SendAsync(cancellationToken).ConfigureAwait(false);
            if (outcome.Succeeded)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), time, cancellationToken).ConfigureAwait(false);
        }
        while (time.GetUtcNow() < deadline);

        throw new TimeoutException($"no request succeeded within {WarmUpTimeout.TotalSeconds:0} s of the pods being ready; last: {outcome.Failure}");
    }
}
