using System.Collections.Immutable;
using System.Net;
using System.Net.Http.Json;

namespace MeshNet.Cli.Local.Gateway;

/// <summary>
/// NodePort and LoadBalancer Services on this machine: a meshnet-proxy in gateway role in the root namespace (no
/// app and no labels, so never an endpoint), one `--expose` listener per node port and per LoadBalancer ingress
/// address (<see cref="GatewayPlan"/>), each routed by mesh routing to its Service with the client's Host intact.
/// It follows /debug/services: when the exposed set changes, the gateway process is replaced. Between the old
/// process exiting and the new one applying its first config (about a second) the exposed ports refuse
/// connections; a gateway that could rebind listeners in place would close that gap.
/// </summary>
internal sealed class MeshGateway : IAsyncDisposable
{
    public const string Name = "meshnet-gateway";
    public const string Namespace = "default";

    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ConfigTimeout = TimeSpan.FromMinutes(1);

    private readonly LocalMesh _mesh;
    private readonly HttpClient _http;
    private readonly SidecarSettings _sidecar;
    private readonly IPAddress _fallbackNetwork;
    private readonly TimeProvider _time;
    private readonly Func<IPEndPoint, bool> _mayBind;
    private readonly Action<string> _warn;
    private readonly HashSet<SkippedListener> _warned = [];
    private ChildProcess? _process;

    private MeshGateway(
        LocalMesh mesh, HttpClient http, SidecarSettings sidecar, IPAddress fallbackNetwork, TimeProvider time, Func<IPEndPoint, bool> mayBind, Action<string> warn)
    {
        _mesh = mesh;
        _http = http;
        _sidecar = sidecar;
        _fallbackNetwork = fallbackNetwork;
        _time = time;
        _mayBind = mayBind;
        _warn = warn;
    }

    public GatewayPlan Plan { get; private set; } = new([]);

    /// <summary>The gateway sidecar's own address in its loopback network: .254 (LoadBalancer fallbacks count up from .1).</summary>
    public static IPAddress SidecarAddress(IPAddress network)
    {
        var bytes = network.GetAddressBytes();
        return new IPAddress([bytes[0], bytes[1], bytes[2], 254]);
    }

    /// <param name="address">The gateway sidecar's own (loopback) address.</param>
    /// <param name="fallbackNetwork">Where LoadBalancer addresses come from when the control plane reports none.</param>
    /// <param name="warn">
    /// Told once per listener left out because this process may not open it (a LoadBalancer's port 80 without root):
    /// the rest of the gateway still runs rather than the whole gateway failing.
    /// </param>
    public static async Task<MeshGateway> StartAsync(
        LocalMesh mesh, HttpClient http, IPAddress address, IPAddress fallbackNetwork, TimeProvider time, CancellationToken cancellationToken,
        Action<string>? warn = null)
    {
        var sidecar = new SidecarSettings(
            new PodIdentity(Name, Namespace, address.ToString(), "default", ImmutableSortedDictionary<string, string>.Empty),
            PodPlanner.DefaultAppPort,
            [],
            null);
        var gateway = new MeshGateway(mesh, http, sidecar, fallbackNetwork, time, ListenerProbe.MayBind, warn ?? (_ => { }));
        try
        {
            await gateway.ApplyAsync(await gateway.FetchPlanAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            return gateway;
        }
        catch
        {
            await gateway.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Polls /debug/services every second until cancelled and replaces the gateway when the exposed set changed
    /// or the gateway exited, then tells <paramref name="onChanged"/>. A failed poll (control plane busy) is retried on the next tick.
    /// </summary>
    public async Task FollowAsync(Action<GatewayPlan> onChanged, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(PollInterval, _time, cancellationToken).ConfigureAwait(false);
            GatewayPlan next;
            try
            {
                next = await FetchPlanAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                continue;
            }

            // A gateway that exited on its own (it is not critical to the mesh) is started again like a changed one.
            var exited = _process is { Exited.IsCompleted: true };
            if (next.SameListeners(Plan) && !exited)
            {
                // Still worth keeping: the Service's type or cluster IP may have changed without moving listeners.
                Plan = next;
                continue;
            }

            await ApplyAsync(next, cancellationToken).ConfigureAwait(false);
            onChanged(next);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            await _mesh.StopAsync(process).ConfigureAwait(false);
        }
    }

    private async Task<GatewayPlan> FetchPlanAsync(CancellationToken cancellationToken)
    {
        var services = await _http.GetFromJsonAsync(new Uri(_mesh.ControlPlaneAdmin, "/debug/services"), AdminJsonContext.Default.ListServiceStatus, cancellationToken)
            .ConfigureAwait(false) ?? [];
        var plan = GatewayPlan.From(services, _fallbackNetwork).Bindable(_mayBind, out var skipped);
        foreach (var listener in skipped.Where(_warned.Add))
        {
            _warn($"gateway: not listening on {listener.Listen} for {listener.Host}: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)");
        }

        return plan;
    }

    private async Task ApplyAsync(GatewayPlan plan, CancellationToken cancellationToken)
    {
        await DisposeAsync().ConfigureAwait(false);
        Plan = plan;
        if (plan.Services.Count == 0)
        {
            return;
        }

        var sidecar = _sidecar with { ExtraArguments = plan.ExposeArguments() };
        var process = await _mesh.StartSidecarAsync(sidecar, cancellationToken, critical: false).ConfigureAwait(false);
        _process = process;

        // A gateway that dies before its first config is not waited for: the next poll starts it again.
        using var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var configured = new MeshReadiness(_http, _mesh.ControlPlaneAdmin, _time).WaitForSidecarConfigAsync(sidecar.AdminUrl, ConfigTimeout, stopWaiting.Token);
        if (await Task.WhenAny(configured, process.Exited).ConfigureAwait(false) == configured)
        {
            await configured.ConfigureAwait(false);
            return;
        }

        await stopWaiting.CancelAsync().ConfigureAwait(false);
        try
        {
            await configured.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Stopped waiting on purpose.
        }
    }
}
