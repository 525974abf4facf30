using System.Net.Http.Json;
using MeshNet.Cli.Local;
using MeshNet.Cli.Local.Gateway;
using MeshNet.Cli.Local.Netns;
using MeshNet.Cli.Output;

namespace MeshNet.Cli.Commands;

/// <summary>
/// `meshctl up DIR`: runs a manifest directory in universal mode until Ctrl-C or until a process dies. As root
/// each pod gets its own network namespace (<paramref name="netns"/>); otherwise pods share loopback. Either way a
/// gateway serves NodePort and LoadBalancer Services on the host.
/// </summary>
internal sealed class UpCommand(
    string directory, System.Net.IPAddress podNetwork, bool verbose, TextWriter output, TimeProvider time, NetnsOptions? netns = null, TextWriter? progress = null, bool interactive = false)
{
    // Long enough for a cold start of every pod; a pod still not ready after it is the user's to look at, not a reason to stop.
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var manifests = MeshSession.ReadManifests(directory);
        using var log = MeshSession.OpenLog("up", verbose, time);
        output.WriteLine($"meshctl up: starting {directory} (logs: {log.FilePath})");
        try
        {
            using var session = await StartAsync(manifests, log, cancellationToken).ConfigureAwait(false);
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
            await WaitForPodsAsync(session, http, cancellationToken).ConfigureAwait(false);
            using var stopFollowing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            output.WriteLine($"control plane  grpc {session.Mesh.ControlPlaneGrpc}  admin {session.Mesh.ControlPlaneAdmin}");
            var width = session.Mesh.Pods.Max(p => p.Pod.Name.Length) + 2;
            System.Net.IPAddress gatewayNetwork;
            if (session.Network is { } network)
            {
                output.WriteLine($"pod network {network.Options.PodCidr} on bridge {network.Options.Bridge} ({network.Options.Gateway}); cluster DNS {network.Options.Gateway}:53; state {network.Options.StateFile}");
                output.WriteLine($"{"POD".PadRight(width)}{"NAMESPACE",-12}{"IP",-14}NETNS");
                foreach (var plan in session.Mesh.Pods)
                {
                    output.WriteLine($"{plan.Pod.Name.PadRight(width)}{plan.Pod.Namespace,-12}{plan.Pod.Address,-14}{plan.Sidecar.Netns?.Namespace}");
                }

                gatewayNetwork = network.Options.GatewayNetwork;
            }
            else
            {
                output.WriteLine($"{"POD".PadRight(width)}{"NAMESPACE",-12}{"IP",-14}OUTBOUND");
                foreach (var plan in session.Mesh.Pods)
                {
                    output.WriteLine($"{plan.Pod.Name.PadRight(width)}{plan.Pod.Namespace,-12}{plan.Pod.Address,-14}{plan.Sidecar.OutboundUrl}");
                }

                gatewayNetwork = GatewayNetwork.ForLoopbackPods(podNetwork);
            }

            // Both modes serve NodePort and LoadBalancer Services from the root namespace (host loopback).
            var gateway = await session.WatchAsync(MeshGateway.StartAsync(
                session.Mesh, http, MeshGateway.SidecarAddress(gatewayNetwork), gatewayNetwork, time, cancellationToken, output.WriteLine)).ConfigureAwait(false);
            await WriteServicesAsync(http, session.Mesh.ControlPlaneAdmin, gateway.Plan, cancellationToken).ConfigureAwait(false);
            output.WriteLine($"dashboard: {new Uri(session.Mesh.ControlPlaneAdmin, "ui/")}");
            output.WriteLine(session.Network is { } recorded
                ? $"`meshctl get svc -A` reads this mesh (its admin URL is in {recorded.Options.StateFile})"
                : $"`meshctl get svc -A` reads this mesh with {ControlPlaneLocator.EnvironmentVariable}={session.Mesh.ControlPlaneAdmin.ToString().TrimEnd('/')}");
            var following = gateway.FollowAsync(
                plan =>
                {
                    output.WriteLine("gateway: exposed Services changed; now serving");
                    output.Write(ServiceTable.Urls(plan));
                },
                stopFollowing.Token);

            output.WriteLine("running; Ctrl-C stops every process");
            var stopped = Task.Delay(Timeout.InfiniteTimeSpan, time, cancellationToken);
            var first = await Task.WhenAny(stopped, session.Mesh.FirstExit, following).ConfigureAwait(false);
            // The gateway is stopped with the session; only its follower must not start a new one meanwhile.
            await stopFollowing.CancelAsync().ConfigureAwait(false);
            if (first == following && following.IsFaulted)
            {
                output.WriteLine($"meshctl up: the gateway failed: {following.Exception?.InnerException?.Message} (see {log.FilePath})");
                return ExitCodes.Failed;
            }

            if (first == session.Mesh.FirstExit)
            {
                var child = await session.Mesh.FirstExit.ConfigureAwait(false);
                output.WriteLine($"meshctl up: {child.Spec.Source} exited with code {await child.Exited.ConfigureAwait(false)} (see {log.FilePath})");
                return ExitCodes.Failed;
            }

            return ExitCodes.Ok;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is ChildExitedException or TimeoutException or FileNotFoundException or ManifestException or InvalidOperationException
            or HttpRequestException or System.Net.Sockets.SocketException)
        {
            output.WriteLine($"meshctl up: {e.Message} (see {log.FilePath})");
            return ExitCodes.CouldNotRun;
        }
    }

    private async Task<MeshSession> StartAsync(LocalManifests manifests, ProcessLog log, CancellationToken cancellationToken)
    {
        await using var wait = WaitIndicator.Start(progress ?? TextWriter.Null, interactive, "meshctl up: ", "starting the control plane and the pods", time);
        return await MeshSession.StartAsync(directory, manifests, podNetwork, log, time, cancellationToken, netns).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits for every pod's readiness so the tables below show a settled mesh. A pod that stays not ready (the
    /// seed's silent readiness pitfall) is named, and the mesh keeps running: that is what `up` is for.
    /// </summary>
    private async Task WaitForPodsAsync(MeshSession session, HttpClient http, CancellationToken cancellationToken)
    {
        var total = session.Mesh.Pods.Count;
        await using var wait = WaitIndicator.Start(progress ?? TextWriter.Null, interactive, "meshctl up: ", $"0/{total} pods ready", time);
        try
        {
            await session.WatchAsync(new MeshReadiness(http, session.Mesh.ControlPlaneAdmin, time).WaitForPodsAsync(
                [.. session.Mesh.Pods.Select(p => p.Pod)], ReadyTimeout, ready => wait.Update($"{ready}/{total} pods ready"), cancellationToken)).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            output.WriteLine($"meshctl up: warning: {e.Message}; they are not endpoints of their Services (`meshctl get workloads -A` says why)");
        }
    }

    private async Task WriteServicesAsync(HttpClient http, Uri controlPlane, GatewayPlan plan, CancellationToken cancellationToken)
    {
        var services = await http.GetFromJsonAsync(new Uri(controlPlane, "/debug/services"), AdminJsonContext.Default.ListServiceStatus, cancellationToken)
            .ConfigureAwait(false) ?? [];
        output.Write(ServiceTable.Format(services, allNamespaces: true, wide: false, ServiceTable.ExternalAddresses(plan)));
        output.Write(ServiceTable.Urls(plan));
    }
}
