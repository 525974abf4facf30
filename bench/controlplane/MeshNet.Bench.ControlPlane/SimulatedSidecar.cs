using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using MeshNet.Protocol.V1;

namespace MeshNet.Bench.ControlPlane;

/// <summary>A response as one simulated sidecar saw it: when (Stopwatch timestamp of the ACK), which version, how big.</summary>
internal sealed record Received(long AckedAt, string Version, int Bytes, bool FullState);

/// <summary>
/// A sidecar reduced to its discovery stream: its own HTTP/2 connection (as a real sidecar has), a Node, and an ACK
/// for every response the moment it arrives. It records what it received for the measurements.
/// </summary>
internal sealed class SimulatedSidecar : IAsyncDisposable
{
    private readonly GrpcChannel _channel;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<Received> _received = [];
    private Task? _loop;

    public SimulatedSidecar(string controlPlaneUrl, int index)
    {
        Index = index;
        _channel = GrpcChannel.ForAddress(controlPlaneUrl, new GrpcChannelOptions
        {
            // A full state of a large mesh is several MiB; the default 4 MiB cap would fail the stream.
            MaxReceiveMessageSize = null,
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
        });
    }

    public int Index { get; }

    public long ConnectedAt { get; private set; }

    public string? Failure { get; private set; }

    public IReadOnlyList<Received> Snapshot()
    {
        lock (_gate)
        {
            return [.. _received];
        }
    }

    public string? LastVersion()
    {
        lock (_gate)
        {
            return _received.Count == 0 ? null : _received[^1].Version;
        }
    }

    public void Start() => _loop = RunAsync();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }
        _channel.Dispose();
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        var client = new Discovery.DiscoveryClient(_channel);
        try
        {
            using var call = client.Stream(cancellationToken: _stop.Token);
            var node = new Node
            {
                Name = $"sim-{Index}",
                Namespace = ManifestGenerator.Namespace,
                ServiceAccount = "default",
                // Loopback values: a label no Service selects, so the simulated sidecars never become endpoints.
                Address = $"127.67.{Index / 256}.{Index % 256}",
                InboundPort = 15006,
                Ready = true,
                ProxyVersion = "bench",
            };
            node.Labels["app"] = "bench-sim";
            node.Ports.Add(new WorkloadPort { Name = "http", Port = 8080, Protocol = "TCP" });
            ConnectedAt = Stopwatch.GetTimestamp();
            await call.RequestStream.WriteAsync(new DiscoveryRequest { Node = node });

            await foreach (var response in call.ResponseStream.ReadAllAsync(_stop.Token))
            {
                var size = response.CalculateSize();
                await call.RequestStream.WriteAsync(new DiscoveryRequest
                {
                    VersionInfo = response.VersionInfo,
                    ResponseNonce = response.Nonce,
                });
                var acked = Stopwatch.GetTimestamp();
                lock (_gate)
                {
                    _received.Add(new Received(acked, response.VersionInfo, size, response.FullState));
                }
            }
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled || _stop.IsCancellationRequested)
        {
            // Shut down by the harness.
        }
        catch (OperationCanceledException)
        {
            // Shut down by the harness.
        }
        catch (RpcException e)
        {
            Failure = string.Create(CultureInfo.InvariantCulture, $"{e.StatusCode}: {e.Status.Detail}");
        }
    }
}
