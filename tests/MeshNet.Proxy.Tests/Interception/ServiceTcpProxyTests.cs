using System.Collections.Frozen;
using System.Collections.Immutable;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MeshNet.Proxy.Balancing;
using MeshNet.Proxy.Configuration;
using MeshNet.Proxy.Hosting;
using MeshNet.Proxy.Identity;
using MeshNet.Proxy.Interception;
using MeshNet.Proxy.Resilience;
using MeshNet.Proxy.Tls;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;
using Proto = MeshNet.Protocol.V1;

namespace MeshNet.Proxy.Tests.Interception;

/// <summary>
/// The L4/HTTP decision for a ClusterIP connection, and L4 balancing over real sockets: endpoint choice, client-IP
/// affinity, falling back to the next endpoint when a dial fails, closing when none answers.
/// </summary>
public sealed class ServiceTcpProxyTests
{
    private static readonly IPEndPoint ClusterIp = new(IPAddress.Parse("10.96.0.20"), 6379);

    [Theory]
    [InlineData("http", "Http")]
    [InlineData("kubernetes.io/h2c", "Http")]
    [InlineData("kubernetes.io/ws", "Http")]
    [InlineData("grpc", "Http")]
    [InlineData("h2c", "Http")]
    [InlineData("tcp", "Sniff")]
    [InlineData("", "Sniff")]
    [InlineData(null, "Sniff")]
    [InlineData("mysql", "Tcp")]
    [InlineData("redis", "Tcp")]
    [InlineData("postgresql", "Tcp")]
    [InlineData("kubernetes.io/tls", "Tcp")]
    [InlineData("https", "Tcp")]
    public void AppProtocol_DecidesBetweenHttpL4AndSniffing(string? appProtocol, string expected)
    {
        Assert.Equal(Enum.Parse<ServiceTransport>(expected), ServiceProtocol.For(appProtocol));
    }

    [Theory]
    [InlineData("tcp", false, "Sniff")]
    [InlineData("tcp", true, "Tcp")]
    [InlineData("TCP", true, "Tcp")]
    [InlineData("", true, "Sniff")]
    [InlineData("http", true, "Http")]
    public void DeclaredTcp_IsL4WithoutSniffing_WhileTheDefaultProtocolTcpIsSniffed(string appProtocol, bool declared, string expected)
    {
        Assert.Equal(Enum.Parse<ServiceTransport>(expected), ServiceProtocol.For(appProtocol, declared));
    }

    [Fact]
    public void MeshedEndpoint_IsDialledAtItsPodIpTargetPort_WithItsIdentity()
    {
        var meshed = ServiceTcpProxy.For(new Proto.Endpoint { Address = "10.244.0.8", Port = 15006, TargetPort = 6379, Meshed = true, Identity = "spiffe://cluster.local/ns/db/sa/redis" });
        var plainMeshed = ServiceTcpProxy.For(new Proto.Endpoint { Address = "10.244.0.9", Port = 15006, TargetPort = 6379, Meshed = true });
        var unmeshed = ServiceTcpProxy.For(new Proto.Endpoint { Address = "10.244.0.10", Port = 6380, TargetPort = 6380, Identity = "ignored" });

        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.244.0.8"), 6379), meshed!.Dial);
        Assert.Equal("spiffe://cluster.local/ns/db/sa/redis", meshed.Identity);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.244.0.9"), 6379), plainMeshed!.Dial);
        Assert.Equal(string.Empty, plainMeshed.Identity);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.244.0.10"), 6380), unmeshed!.Dial);
        Assert.Equal(string.Empty, unmeshed.Identity);
    }

    [Fact]
    public async Task RoundRobin_SpreadsConnectionsOverBothEndpoints()
    {
        await using var a = EchoServer.Start("A");
        await using var b = EchoServer.Start("B");
        var fixture = new Fixture(a.Port, b.Port);

        var answers = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            answers.Add(await fixture.ExchangeAsync(new IPEndPoint(IPAddress.Parse("10.0.0.1"), 40000 + i), "ping"));
        }

        Assert.Equal(2, answers.Count(x => x == "A:ping"));
        Assert.Equal(2, answers.Count(x => x == "B:ping"));
    }

    [Fact]
    public async Task ClientIpAffinity_KeepsAClientOnOneEndpoint_ForEveryConnection()
    {
        await using var a = EchoServer.Start("A");
        await using var b = EchoServer.Start("B");
        var fixture = new Fixture(a.Port, b.Port) { Affinity = true };

        var answers = new HashSet<string>();
        for (var i = 0; i < 6; i++)
        {
            answers.Add(await fixture.ExchangeAsync(new IPEndPoint(IPAddress.Parse("10.0.0.7"), 40000 + i), "x"));
        }

        Assert.Single(answers);
    }

    [Fact]
    public async Task ConnectFailure_FallsBackToTheNextEndpoint()
    {
        var dead = EchoServer.UnusedPort();
        await using var live = EchoServer.Start("L");
        var fixture = new Fixture(dead, live.Port);

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal("L:data", await fixture.ExchangeAsync(new IPEndPoint(IPAddress.Parse("10.0.0.1"), 40000 + i), "data"));
        }
    }

    [Fact]
    public async Task NoReachableEndpoint_ClosesTheConnection()
    {
        var fixture = new Fixture(EchoServer.UnusedPort(), EchoServer.UnusedPort());
        var connection = new PipeConnection(new IPEndPoint(IPAddress.Parse("10.0.0.1"), 40000));

        await fixture.Proxy.RunAsync(connection, ClusterIp, fixture.Cluster());

        Assert.True(connection.Aborted.Task.IsCompleted);
    }

    /// <summary>A cluster of plain endpoints at 127.0.0.1 on the given ports, and the proxy that serves it.</summary>
    private sealed class Fixture
    {
        private readonly int[] _ports;
        private readonly ClusterBalancing _balancing = new(TimeProvider.System);

        public Fixture(params int[] ports)
        {
            _ports = ports;
            var proto = new Proto.Cluster { Name = "outbound|6379||redis.db.svc.cluster.local", AppProtocol = "redis" };
            proto.Endpoints.AddRange(ports.Select(p => new Proto.Endpoint { Address = "127.0.0.1", Port = (uint)p, TargetPort = (uint)p }));
            var snapshot = new ProxySnapshot("v1", FrozenDictionary<string, Proto.VirtualHost>.Empty, new Dictionary<string, Proto.Cluster> { [proto.Name] = proto }.ToFrozenDictionary(), null);
            var options = new ProxyOptions { Mark = 0, Labels = ImmutableDictionary<string, string>.Empty };
            var marker = new SocketMarker(options, NullLogger<SocketMarker>.Instance);
            var certificates = new CertificateStore(options);
            var refusals = new PeerRefusals();
            var validator = new PeerCertificateValidator(certificates, refusals, TimeProvider.System, NullLogger<PeerCertificateValidator>.Instance);
            var tunnel = new MeshTcpTunnel(certificates, validator, refusals, marker, TimeProvider.System, NullLogger<MeshTcpTunnel>.Instance);
            Proxy = new ServiceTcpProxy(marker, tunnel, certificates, () => snapshot, NullLogger.Instance);
            Name = proto.Name;
        }

        public bool Affinity { get; init; }

        public string Name { get; }

        public ServiceTcpProxy Proxy { get; }

        /// <summary>A fresh route-table entry over the same balancing state, as a rebuilt table would be.</summary>
        public ClusterEntry Cluster()
        {
            var destinations = _ports
                .Select(p => $"127.0.0.1:{p}")
                .Select(id => new OutboundDestination(id, "127.0.0.1", $"http://{id}", HttpTransformer.Empty, _balancing.StatsFor(id)))
                .ToArray();
            var affinity = _balancing.AffinityFor(Affinity ? TimeSpan.FromHours(1) : null);
            return new ClusterEntry(Name, new ClusterState(Name), destinations, new ClusterResilience(new Proto.Cluster { Name = Name }), new RoundRobinLoadBalancer(_balancing), affinity);
        }

        /// <summary>Sends <paramref name="payload"/>, half-closes, and returns everything the endpoint answered.</summary>
        public async Task<string> ExchangeAsync(IPEndPoint client, string payload)
        {
            var connection = new PipeConnection(client);
            var run = Proxy.RunAsync(connection, ClusterIp, Cluster());
            await connection.Client.Output.WriteAsync(Encoding.ASCII.GetBytes(payload));
            await connection.Client.Output.CompleteAsync();
            var answer = await ReadToEndAsync(connection.Client.Input);
            await run;
            Assert.False(connection.Aborted.Task.IsCompleted);
            return answer;
        }

        private static async Task<string> ReadToEndAsync(PipeReader reader)
        {
            var text = new StringBuilder();
            while (true)
            {
                var result = await reader.ReadAsync();
                foreach (var segment in result.Buffer)
                {
                    text.Append(Encoding.ASCII.GetString(segment.Span));
                }

                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    await reader.CompleteAsync();
                    return text.ToString();
                }
            }
        }
    }

    /// <summary>A Kestrel-like connection over in-memory pipes; <see cref="Client"/> is the app's end.</summary>
    private sealed class PipeConnection : ConnectionContext
    {
        public PipeConnection(IPEndPoint remote)
        {
            var toProxy = new Pipe();
            var toClient = new Pipe();
            Transport = new Duplex(toProxy.Reader, toClient.Writer);
            Client = new Duplex(toClient.Reader, toProxy.Writer);
            RemoteEndPoint = remote;
        }

        public IDuplexPipe Client { get; }

        public TaskCompletionSource Aborted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override string ConnectionId { get; set; } = "test";

        public override IFeatureCollection Features { get; } = new FeatureCollection();

        public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

        public override IDuplexPipe Transport { get; set; }

        public override void Abort(ConnectionAbortedException abortReason) => Aborted.TrySetResult();

        private sealed record Duplex(PipeReader Input, PipeWriter Output) : IDuplexPipe;
    }

    /// <summary>Answers each connection with "NAME:" followed by the bytes it received, then closes.</summary>
    private sealed class EchoServer : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly Task _accepting;
        private readonly string _name;

        private EchoServer(string name)
        {
            _name = name;
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            _accepting = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public static EchoServer Start(string name) => new(name);

        /// <summary>A loopback port nothing listens on (bound, then released).</summary>
        public static int UnusedPort()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return port;
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            await _accepting;
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var socket = await _listener.AcceptSocketAsync();
                    _ = ServeAsync(socket);
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Stopped.
            }
        }

        private async Task ServeAsync(Socket socket)
        {
            using (socket)
            {
                await socket.SendAsync(Encoding.ASCII.GetBytes(_name + ":"));
                var buffer = new byte[1024];
                int read;
                while ((read = await socket.ReceiveAsync(buffer)) > 0)
                {
                    await socket.SendAsync(buffer.AsMemory(0, read));
                }

                socket.Shutdown(SocketShutdown.Send);
            }
        }
    }
}
