using System.Net;
using System.Threading.Channels;
using Grpc.Core;
using MeshNet.Protocol.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MeshNet.Proxy.Tests.Infrastructure;

/// <summary>
/// A real gRPC Discovery server on 127.0.0.1, driven step by step: every request the sidecar sends lands in
/// <see cref="Requests"/>; every response the test queues with <see cref="Send"/> goes to the open stream.
/// It can be stopped and restarted on the same port to test reconnects.
/// </summary>
public sealed class FakeControlPlane : IAsyncDisposable
{
    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(15);

    private readonly StreamState _state = new();
    private WebApplication? _app;

    public int Port { get; private set; }

    /// <summary>127.0.0.1 unless started on another address (a veth end, for a sidecar in a network namespace).</summary>
    public IPAddress BindAddress { get; private init; } = IPAddress.Loopback;

    public Uri Address => new($"http://{BindAddress}:{Port}");

    public int StreamsOpened => _state.StreamsOpened;

    public static async Task<FakeControlPlane> StartAsync(IPAddress? bindAddress = null)
    {
        var controlPlane = new FakeControlPlane { BindAddress = bindAddress ?? IPAddress.Loopback };
        await controlPlane.RestartAsync();
        return controlPlane;
    }

    /// <summary>(Re)starts the server, on the port it had before if any.</summary>
    public async Task RestartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(_state);
        builder.WebHost.ConfigureKestrel(k => k.Listen(BindAddress, Port, l => l.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        app.MapGrpcService<FakeDiscoveryService>();
        await app.StartAsync();
        _app = app;
        Port = new Uri(app.Urls.First()).Port;
    }

    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            // An already-cancelled token skips the graceful drain: open streams are cut, as when the process dies.
            await app.StopAsync(new CancellationToken(canceled: true));
            await app.DisposeAsync();
        }
    }

    public void Send(DiscoveryResponse response) => _state.Responses.Writer.TryWrite(response);

    public async Task<DiscoveryRequest> NextRequestAsync()
    {
        using var timeout = new CancellationTokenSource(WaitTimeout);
        try
        {
            return await _state.Requests.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("the sidecar sent no discovery request within 15s");
        }
    }

    /// <summary>Skips status-only requests and returns the next one that answers a response (an ACK or a NACK).</summary>
    public async Task<DiscoveryRequest> NextAnswerAsync()
    {
        while (true)
        {
            var request = await NextRequestAsync();
            if (request.ResponseNonce.Length > 0)
            {
                return request;
            }
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    internal sealed class StreamState
    {
        private int _streamsOpened;

        public Channel<DiscoveryRequest> Requests { get; } = Channel.CreateUnbounded<DiscoveryRequest>();

        public Channel<DiscoveryResponse> Responses { get; } = Channel.CreateUnbounded<DiscoveryResponse>();

        public int StreamsOpened => Volatile.Read(ref _streamsOpened);

        public void StreamOpened() => Interlocked.Increment(ref _streamsOpened);
    }

    internal sealed class FakeDiscoveryService(StreamState state) : Protocol.V1.Discovery.DiscoveryBase
    {
        public override async Task Stream(IAsyncStreamReader<DiscoveryRequest> requestStream, IServerStreamWriter<DiscoveryResponse> responseStream, ServerCallContext context)
        {
            state.StreamOpened();
            // Cancelled when this handler leaves, so a pending read never swallows a response meant for the next stream.
            using var streamCts = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
            var token = streamCts.Token;
            var reader = Task.Run(async () =>
            {
                await foreach (var request in requestStream.ReadAllAsync(token))
                {
                    state.Requests.Writer.TryWrite(request);
                }
            }, token);

            try
            {
                while (!token.IsCancellationRequested)
                {
                    var read = state.Responses.Reader.ReadAsync(token).AsTask();
                    var first = await Task.WhenAny(read, reader);
                    if (first == reader)
                    {
                        return;
                    }

                    await responseStream.WriteAsync(await read, token);
                }
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                await streamCts.CancelAsync();
            }
        }
    }
}
