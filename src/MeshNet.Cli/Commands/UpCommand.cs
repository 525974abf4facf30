using MeshNet.Cli.Local;
using MeshNet.Cli.Local.Gateway;
using MeshNet.Cli.Local.Netns;

namespace MeshNet.Cli.Commands;

/// <summary>
/// `meshctl up DIR`: runs a manifest directory in universal mode until Ctrl-C or until a process dies. As root
/// each pod gets its own network namespace (<paramref name="netns"/>); otherwise pods share loopback.
/// </summary>
internal sealed class UpCommand(string directory, System.Net.IPAddress podNetwork, bool verbose, TextWriter output, TimeProvider time, NetnsOptions? netns = null)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var manifests = MeshSession.ReadManifests(directory);
        using var log = MeshSession.OpenLog("up", verbose, time);
        output.WriteLine($"meshctl up: starting {directory} (logs: {log.FilePath})");
        try
        {
            using var session = await MeshSession.StartAsync(directory, manifests, podNetwork, log, time, cancellationToken, netns).ConfigureAwait(false);
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
            MeshGateway? gateway = null;
            using var stopGateway = new GatewayDisposer(() => gateway);
            output.WriteLine($"control plane  grpc {session.Mesh.ControlPlaneGrpc}  admin {session.Mesh.ControlPlaneAdmin}");
            var width = session.Mesh.Pods.Max(p => p.Pod.Name.Length) + 2;
            if (session.Network is { } network)
            {
                output.WriteLine($"pod network {network.Options.PodCidr} on bridge {network.Options.Bridge} ({network.Options.Gateway}); cluster DNS {network.Options.Gateway}:53; state {network.Options.StateFile}");
                output.WriteLine($"{"POD".PadRight(width)}{"NAMESPACE",-12}{"IP",-14}NETNS");
                foreach (var plan in session.Mesh.Pods)
                {
                    output.WriteLine($"{plan.Pod.Name.PadRight(width)}{plan.Pod.Namespace,-12}{plan.Pod.Address,-14}{plan.Sidecar.Netns?.Namespace}");
                }

                gateway = await session.WatchAsync(MeshGateway.StartAsync(session.Mesh, http, network.Options.GatewayNetwork, time, cancellationToken)).ConfigureAwait(false);
                ServiceTable.Write(output, gateway.Services);
            }
            else
            {
                output.WriteLine($"{"POD".PadRight(width)}{"NAMESPACE",-12}{"IP",-14}OUTBOUND");
                foreach (var plan in session.Mesh.Pods)
                {
                    output.WriteLine($"{plan.Pod.Name.PadRight(width)}{plan.Pod.Namespace,-12}{plan.Pod.Address,-14}{plan.Sidecar.OutboundUrl}");
                }
            }

            output.WriteLine("running; Ctrl-C stops every process");
            var stopped = Task.Delay(Timeout.InfiniteTimeSpan, time, cancellationToken);
            if (await Task.WhenAny(stopped, session.Mesh.FirstExit).ConfigureAwait(false) != stopped)
            {
                var child = await session.Mesh.FirstExit.ConfigureAwait(false);
                output.WriteLine($"meshctl up: {child.Spec.Source} exited with code {await child.Exited.ConfigureAwait(false)} (see {log.FilePath})");
                return 1;
            }

            return 0;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
        catch (Exception e) when (e is ChildExitedException or TimeoutException or FileNotFoundException or ManifestException or InvalidOperationException
            or HttpRequestException or System.Net.Sockets.SocketException)
        {
            output.WriteLine($"meshctl up: {e.Message} (see {log.FilePath})");
            return 2;
        }
    }
}
