using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using MeshNet.ControlPlane.Discovery;
using MeshNet.ControlPlane.Hosting;
using MeshNet.ControlPlane.Indexing;
using MeshNet.ControlPlane.Tracking;
using MeshNet.Protocol.V1;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace MeshNet.ControlPlane.Tests;

/// <summary>
/// The real composition on 127.0.0.1:0 without the update loop: the test decides when the pipeline
/// flushes, so every push in a stream test is caused by a step of the test.
/// </summary>
internal sealed class DiscoveryHarness : IAsyncDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private readonly ControlPlaneApp _app;
    private readonly GrpcChannel _channel;

    private DiscoveryHarness(ControlPlaneApp app, FakeTimeProvider time)
    {
        _app = app;
        Time = time;
        _channel = GrpcChannel.ForAddress($"http://{app.GrpcEndPoint}");
    }

    public FakeTimeProvider Time { get; }

    public MeshChangeTracker Tracker => _app.Tracker;

    public ProxyRegistry Registry => _app.Services.GetRequiredService<ProxyRegistry>();

    public MeshIndex Index => _app.Services.GetRequiredService<ProxySnapshotCache>().Index;

    public static async Task<DiscoveryHarness> StartAsync()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var options = ControlPlaneOptions.Default with
        {
            Grpc = new IPEndPoint(IPAddress.Loopback, 0),
            Admin = new IPEndPoint(IPAddress.Loopback, 0),
        };
        var app = ControlPlaneApp.Create(options, time, l => l.ClearProviders(), runUpdateLoop: false);
        await app.StartAsync(CancellationToken.None);
        return new DiscoveryHarness(app, time);
    }

    /// <summary>Flushes pending changes now (resources the test fed synchronously).</summary>
    public void Flush() => _app.Pipeline.Flush();

    /// <summary>Flushes each time the tracker signals until <paramref name="condition"/> holds (for changes made by the server).</summary>
    public async Task FlushUntilAsync(Func<bool> condition)
    {
        using var guard = new CancellationTokenSource(Guard);
        Flush();
        while (!condition())
        {
            await Tracker.WaitForChangesAsync(guard.Token);
            Flush();
        }
    }

    public SidecarClient Connect(Node? node = null)
    {
        var call = new Protocol.V1.Discovery.DiscoveryClient(_channel).Stream();
        return new SidecarClient(call, node);
    }

    public static Node Node(string name, string labels = "app=posts", string address = "127.0.1.5", bool ready = true)
    {
        var node = new Node
        {
            Name = name,
            Namespace = "blog",
            Address = address,
            InboundPort = 15006,
            Ready = ready,
            ServiceAccount = "posts",
            ProxyVersion = "test",
            Ports = { new Protocol.V1.WorkloadPort { Name = "http", Port = 8080, Protocol = "TCP" } },
        };
        foreach (var (key, value) in TestResources.Labels(labels.Split(',')))
        {
            node.Labels.Add(key, value);
        }

        return node;
    }

    public Task StopAsync() => _app.StopAsync(CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    /// <summary>One sidecar's side of the stream, driven step by step.</summary>
    internal sealed class SidecarClient(AsyncDuplexStreamingCall<DiscoveryRequest, DiscoveryResponse> call, Node? node) : IAsyncDisposable
    {
        public async Task<DiscoveryResponse> OpenAsync()
        {
            await SendAsync(new DiscoveryRequest { Node = node });
            return await ReceiveAsync();
        }

        public Task SendAsync(DiscoveryRequest request) => call.RequestStream.WriteAsync(request);

        public async Task<DiscoveryResponse> ReceiveAsync()
        {
            using var guard = new CancellationTokenSource(Guard);
            Assert.True(await call.ResponseStream.MoveNext(guard.Token), "the stream ended");
            return call.ResponseStream.Current;
        }

        public Task AckAsync(DiscoveryResponse response) =>
            SendAsync(new DiscoveryRequest { VersionInfo = response.VersionInfo, ResponseNonce = response.Nonce });

        public Task NackAsync(DiscoveryResponse response, string lastGoodVersion, string message) =>
            SendAsync(new DiscoveryRequest
            {
                VersionInfo = lastGoodVersion,
                ResponseNonce = response.Nonce,
                ErrorDetail = new ErrorDetail { Message = message },
            });

        public Task SetReadyAsync(bool ready) =>
            SendAsync(new DiscoveryRequest { Status = new WorkloadStatus { Ready = ready, Reason = ready ? "" : "probe failed" } });

        public Task CloseAsync() => call.RequestStream.CompleteAsync();

        /// <summary>Waits for the server to finish the call (its cleanup has run by then).</summary>
        public async Task ReceiveEndAsync()
        {
            using var guard = new CancellationTokenSource(Guard);
            try
            {
                Assert.False(await call.ResponseStream.MoveNext(guard.Token), "expected the stream to end");
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Cancelled or StatusCode.Unavailable or StatusCode.Internal)
            {
                // A stopping server may close the connection (GOAWAY) before the client reads the trailers.
            }
        }

        public ValueTask DisposeAsync()
        {
            call.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
