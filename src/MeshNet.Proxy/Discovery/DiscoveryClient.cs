using System.Net;
using System.Reflection;
using System.Threading.Channels;
using Grpc.Core;
using Grpc.Net.Client;
using MeshNet.Protocol.V1;
using MeshNet.Proxy.Configuration;
using MeshNet.Proxy.Hosting;
using MeshNet.Proxy.Identity;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MeshNet.Proxy.Interception;

namespace MeshNet.Proxy.Discovery;

/// <summary>
/// Keeps one discovery stream open to the control plane: registers this workload, applies every response and
/// answers it with an ACK or NACK, reports readiness changes. When the stream breaks it reconnects with jittered
/// backoff while the last good config keeps serving; a new stream's full state replaces it only if valid.
/// </summary>
internal sealed partial class DiscoveryClient(
    ProxyOptions options,
    ListenerEndpoints listeners,
    ConfigApplier applier,
    ReadinessProbe probe,
    SocketMarker marker,
    ControlPlaneTrust trust,
    CertificateStore certificates,
    TimeProvider time,
    ILogger<DiscoveryClient> logger) : BackgroundService
{
    private static readonly string ProxyVersion =
        typeof(DiscoveryClient).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await listeners.WhenBound.WaitAsync(stoppingToken).ConfigureAwait(false);
            await probe.FirstProbe.WaitAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        using var channel = GrpcChannel.ForAddress(options.ControlPlane, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                UseProxy = false,
                ConnectTimeout = TimeSpan.FromSeconds(5),
                // Pings notice a control plane that vanished without closing the connection (host gone, partition).
                KeepAlivePingDelay = TimeSpan.FromSeconds(15),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
                // Marked, or the interception rules would redirect the control-plane stream into this sidecar.
                ConnectCallback = marker.ConnectHttpAsync,
                // https://: the control plane's certificate checked against --control-plane-ca.
                SslOptions = trust.ClientOptions() ?? new System.Net.Security.SslClientAuthenticationOptions(),
            },
            DisposeHttpClient = true,
            // A full state grows with the mesh (about 1 KiB per Service port); gRPC's 4 MB default would
            // refuse a mesh of a few thousand Services. The control plane is trusted, so no cap.
            MaxReceiveMessageSize = null,
        });
        var client = new Protocol.V1.Discovery.DiscoveryClient(channel);
        var backoff = new ReconnectBackoff();

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await RunStreamAsync(client, stoppingToken).ConfigureAwait(false))
                {
                    backoff.Reset();
                }

                LogStreamEnded(logger, options.ControlPlane, "closed by the control plane");
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested && ex is RpcException or IOException or HttpRequestException or OperationCanceledException or ChannelClosedException)
            {
                LogStreamEnded(logger, options.ControlPlane, ex.GetBaseException().Message);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // A bug on this side must not take the sidecar down: it keeps serving the last good config and
                // starts a fresh stream, which begins with a full state.
                LogStreamFailed(logger, options.ControlPlane, ex);
            }

            var delay = backoff.Next();
            LogReconnecting(logger, delay.TotalMilliseconds, applier.Current.Version);
            try
            {
                await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Runs one stream until it ends; true when it delivered at least one response.</summary>
    private async Task<bool> RunStreamAsync(Protocol.V1.Discovery.DiscoveryClient client, CancellationToken stoppingToken)
    {
        using var streamCts = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var token = streamCts.Token;
        using var call = client.Stream(cancellationToken: token);

        // gRPC allows one write at a time; ACKs and status reports meet in this queue and one task writes them.
        var outbox = Channel.CreateUnbounded<DiscoveryRequest>(new UnboundedChannelOptions { SingleReader = true });
        var node = CreateNode(CurrentStatus().Ready);
        outbox.Writer.TryWrite(new DiscoveryRequest { Node = node, VersionInfo = applier.Current.Version });
        var writer = WriteAllAsync(call.RequestStream, outbox.Reader, streamCts);
        var status = ReportStatusAsync(outbox.Writer, node.Ready, node.Identity, token);
        LogStreamOpened(logger, options.ControlPlane, applier.Current.Version);

        var received = false;
        try
        {
            await foreach (var response in call.ResponseStream.ReadAllAsync(token).ConfigureAwait(false))
            {
                received = true;
                var error = await applier.ApplyAsync(response, token).ConfigureAwait(false);
                outbox.Writer.TryWrite(error is null
                    ? new DiscoveryRequest { VersionInfo = response.VersionInfo, ResponseNonce = response.Nonce }
                    : new DiscoveryRequest
                    {
                        VersionInfo = applier.Current.Version,
                        ResponseNonce = response.Nonce,
                        ErrorDetail = new ErrorDetail { Message = error },
                    });
            }
        }
        finally
        {
            outbox.Writer.TryComplete();
            await streamCts.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(writer, status).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        return received;
    }

    private static async Task WriteAllAsync(IClientStreamWriter<DiscoveryRequest> stream, ChannelReader<DiscoveryRequest> outbox, CancellationTokenSource streamCts)
    {
        try
        {
            await foreach (var request in outbox.ReadAllAsync(streamCts.Token).ConfigureAwait(false))
            {
                await stream.WriteAsync(request, streamCts.Token).ConfigureAwait(false);
            }
        }
        catch
        {
            // A failed write means the stream is dead: end the read loop too, so the client reconnects.
            await streamCts.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Reports readiness changes, and the identity once the first certificate arrives (clients then use mTLS).</summary>
    private async Task ReportStatusAsync(ChannelWriter<DiscoveryRequest> outbox, bool reportedReady, string reportedIdentity, CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            var changed = probe.Changed;
            var current = CurrentStatus();
            if (current.Ready != reportedReady || !string.Equals(current.Identity, reportedIdentity, StringComparison.Ordinal))
            {
                // Not an ACK: it carries no nonce.
                outbox.TryWrite(new DiscoveryRequest { VersionInfo = applier.Current.Version, Status = current });
                reportedReady = current.Ready;
                reportedIdentity = current.Identity;
            }

            // The identity only ever changes from none to this sidecar's own, so the certificate is waited for once.
            var wake = reportedIdentity.Length == 0 && certificates.Enabled
                ? Task.WhenAny(changed, certificates.FirstCertificate)
                : changed;
            await wake.WaitAsync(token).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The probe's verdict, held back while a sidecar that has a join token waits for its first certificate: it
    /// becomes an endpoint only once it serves mTLS, so no client pools a plaintext connection to it first.
    /// </summary>
    private WorkloadStatus CurrentStatus()
    {
        var status = probe.Current.Clone();
        status.Identity = certificates.ServedIdentity;
        if (status.Ready && certificates.Enabled && status.Identity.Length == 0)
        {
            status.Ready = false;
            status.Reason = "waiting for the first certificate from the control plane";
        }

        return status;
    }

    private Node CreateNode(bool ready)
    {
        var node = new Node
        {
            Name = options.Name,
            Namespace = options.Namespace,
            ServiceAccount = options.ServiceAccount,
            Address = AdvertisedAddress().ToString(),
            InboundPort = (uint)listeners.InboundPort,
            Ready = ready,
            ProxyVersion = ProxyVersion,
            AppPort = (uint)options.AppPort,
            Hostname = options.Hostname,
            Identity = certificates.ServedIdentity,
            Subdomain = options.Subdomain,
        };
        node.Labels.Add(options.Labels);
        node.Annotations.Add(options.Annotations);
        node.AdminAddress = options.AdminAdvertise ?? AdvertisedAdmin().ToString();
        foreach (var port in options.Ports)
        {
            node.Ports.Add(new WorkloadPort { Name = port.Name, Port = (uint)port.Port, Protocol = "TCP" });
        }

        if (options.AppPort != 0 && options.Ports.All(p => p.Port != options.AppPort))
        {
            node.Ports.Add(new WorkloadPort { Port = (uint)options.AppPort, Protocol = "TCP" });
        }

        return node;
    }

    /// <summary>The bound admin endpoint; when it listens on every address, the advertised inbound address stands in for its IP.</summary>
    private IPEndPoint AdvertisedAdmin()
    {
        var admin = listeners.Admin;
        return admin.Address.Equals(IPAddress.Any) || admin.Address.Equals(IPAddress.IPv6Any) ? new IPEndPoint(AdvertisedAddress(), admin.Port) : admin;
    }

    /// <summary>The inbound listener's IP; when it listens on every address, the app's address stands in for it.</summary>
    private IPAddress AdvertisedAddress()
    {
        var address = listeners.Inbound.Address;
        return address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) ? options.AppAddress : address;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Discovery stream to {ControlPlane} opened (last good version '{Version}')")]
    private static partial void LogStreamOpened(ILogger logger, Uri controlPlane, string version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discovery stream to {ControlPlane} ended: {Reason}")]
    private static partial void LogStreamEnded(ILogger logger, Uri controlPlane, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Discovery stream to {ControlPlane} failed unexpectedly")]
    private static partial void LogStreamFailed(ILogger logger, Uri controlPlane, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconnecting in {DelayMs:F0} ms; serving last good version '{Version}'")]
    private static partial void LogReconnecting(ILogger logger, double delayMs, string version);
}
