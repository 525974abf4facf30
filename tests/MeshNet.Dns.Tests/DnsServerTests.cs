using System.Net;
using MeshNet.Dns.Server;
using MeshNet.Dns.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;
using static MeshNet.Dns.Tests.TestSupport.DnsQueryBuilder;

namespace MeshNet.Dns.Tests;

public sealed class DnsServerTests : IAsyncLifetime
{
    private readonly DnsResponder _responder = new(DnsRecordTable.Build([.. BlogZone.Services, BigZone.Headless(200)], ["blog"]));
    private readonly List<DnsServer> _servers = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Answers_OverUdp()
    {
        var server = Start(_responder);

        var reply = DnsTestMessage.Parse(await DnsTestClient.QueryUdpAsync(server.LocalEndPoint, Query("posts.blog.svc.cluster.local", A)));

        Assert.Equal(["10.96.0.20"], reply.AnswerData);
    }

    [Fact]
    public async Task Answers_SeveralQueriesOnOneTcpConnection_InOrder()
    {
        var server = Start(_responder);
        using var socket = await DnsTestClient.ConnectTcpAsync(server.LocalEndPoint);

        await DnsTestClient.SendFramedAsync(socket, Query("posts.blog.svc.cluster.local", A, id: 1));
        await DnsTestClient.SendFramedAsync(socket, Query("big.blog.svc.cluster.local", A, id: 2));
        await DnsTestClient.SendFramedAsync(socket, Query("users.blog.svc.cluster.local", A, id: 3));

        var first = DnsTestMessage.Parse((await DnsTestClient.ReceiveFramedAsync(socket))!);
        var second = DnsTestMessage.Parse((await DnsTestClient.ReceiveFramedAsync(socket))!);
        var third = DnsTestMessage.Parse((await DnsTestClient.ReceiveFramedAsync(socket))!);
        Assert.Equal((1, "10.96.0.20"), (first.Header.Id, first.Answers[0].Data));
        Assert.Equal((2, 200, false), (second.Header.Id, second.Answers.Count, second.Truncated));
        Assert.Equal((3, "10.96.0.21"), (third.Header.Id, third.Answers[0].Data));
    }

    [Fact]
    public async Task Truncates_OverUdp_AndAnswersInFullOverTcp()
    {
        var server = Start(_responder);
        var query = Query("big.blog.svc.cluster.local", A);

        var udp = await DnsTestClient.QueryUdpAsync(server.LocalEndPoint, query);
        var tcp = DnsTestMessage.Parse(await DnsTestClient.QueryTcpAsync(server.LocalEndPoint, query));

        Assert.InRange(udp.Length, 12, 512);
        Assert.True(DnsTestMessage.Parse(udp).Truncated);
        Assert.Equal(200, tcp.Answers.Count);
    }

    [Fact]
    public async Task KeepsServing_AfterMalformedUdpPackets()
    {
        var server = Start(_responder);

        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        await socket.ConnectAsync(server.LocalEndPoint);
        await socket.SendAsync(new byte[] { 1, 2, 3 });
        await socket.SendAsync(new byte[] { 0, 9, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 0x0C, 0, 1, 0, 1 });
        var formErr = DnsTestMessage.Parse(await DnsTestClient.ReceiveUdpAsync(socket));
        await socket.SendAsync(Query("users.blog.svc.cluster.local", A, id: 77));
        var reply = DnsTestMessage.Parse(await DnsTestClient.ReceiveUdpAsync(socket));

        Assert.Equal((9, 1), (formErr.Header.Id, formErr.Rcode));
        Assert.Equal((77, "10.96.0.21"), (reply.Header.Id, reply.Answers[0].Data));
    }

    [Fact]
    public async Task ClosesATcpConnection_OnAnEmptyFrame_AndKeepsAccepting()
    {
        var server = Start(_responder);
        using (var socket = await DnsTestClient.ConnectTcpAsync(server.LocalEndPoint))
        {
            await socket.SendAsync(new byte[] { 0, 0 });
            Assert.Null(await DnsTestClient.ReceiveFramedAsync(socket));
        }

        var reply = DnsTestMessage.Parse(await DnsTestClient.QueryTcpAsync(server.LocalEndPoint, Query("posts.blog.svc.cluster.local", A)));
        Assert.Equal("10.96.0.20", reply.Answers[0].Data);
    }

    [Fact]
    public async Task ClosesAnIdleTcpConnection_AfterTheIdleTimeout()
    {
        var server = new DnsServer(_responder, new DnsServerOptions
        {
            EndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            TcpIdleTimeout = TimeSpan.FromMilliseconds(100),
        });
        server.Start();
        _servers.Add(server);
        using var socket = await DnsTestClient.ConnectTcpAsync(server.LocalEndPoint);

        await DnsTestClient.SendFramedAsync(socket, Query("posts.blog.svc.cluster.local", A));
        Assert.NotNull(await DnsTestClient.ReceiveFramedAsync(socket));

        // The server closes the connection by itself; the client's read ends there (its own deadline is 10 s).
        Assert.Null(await DnsTestClient.ReceiveFramedAsync(socket));
    }

    [Fact]
    public async Task Refuses_NamesOutsideTheZone_WithoutAForwarder()
    {
        var server = Start(_responder);

        var reply = DnsTestMessage.Parse(await DnsTestClient.QueryUdpAsync(server.LocalEndPoint, Query("example.com", A)));

        Assert.Equal(5, reply.Rcode);
    }

    [Theory]
    [InlineData(DnsTransport.Udp)]
    [InlineData(DnsTransport.Tcp)]
    public async Task Forwards_NamesOutsideTheZone_ToTheUpstream(DnsTransport transport)
    {
        var upstreamTable = DnsRecordTable.Build(
            [new DnsService("web", "shop") { ClusterIPs = [IPAddress.Parse("192.0.2.7")] }],
            options: new DnsTableOptions { Zone = "upstream.test" });
        var upstream = Start(new DnsResponder(upstreamTable));
        var server = Start(new DnsResponder(_responder.Table, recursionAvailable: true), new DnsUpstreamForwarder(upstream.LocalEndPoint).Forwarder);
        var query = Query("web.shop.svc.upstream.test", A, id: 4321);

        var bytes = transport == DnsTransport.Udp
            ? await DnsTestClient.QueryUdpAsync(server.LocalEndPoint, query)
            : await DnsTestClient.QueryTcpAsync(server.LocalEndPoint, query);

        var reply = DnsTestMessage.Parse(bytes);
        Assert.Equal((4321, "192.0.2.7"), (reply.Header.Id, reply.Answers[0].Data));
        var local = DnsTestMessage.Parse(await DnsTestClient.QueryUdpAsync(server.LocalEndPoint, Query("posts.blog.svc.cluster.local", A)));
        Assert.Equal("10.96.0.20", local.Answers[0].Data);
    }

    [Fact]
    public async Task Answers_ServFail_WhenTheUpstreamTimesOut()
    {
        var time = new FakeTimeProvider();
        var called = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        DnsForwarder hang = async (_, _, cancellationToken) =>
        {
            called.SetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            return ReadOnlyMemory<byte>.Empty;
        };
        var server = Start(_responder, hang, time);
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        await socket.ConnectAsync(server.LocalEndPoint);

        await socket.SendAsync(Query("example.com", A, id: 55));
        await called.Task.WaitAsync(TimeSpan.FromSeconds(10));
        time.Advance(TimeSpan.FromSeconds(2));

        var reply = DnsTestMessage.Parse(await DnsTestClient.ReceiveUdpAsync(socket));
        Assert.Equal((55, 2), (reply.Header.Id, reply.Rcode));
        Assert.Equal("example.com", reply.QuestionName);
    }

    [Fact]
    public async Task Answers_ServFail_WhenTheForwarderThrowsOrAnswersAnotherQuery()
    {
        DnsForwarder broken = (query, _, _) => query.Span[1] == 1
            ? throw new InvalidOperationException("upstream unreachable")
            : ValueTask.FromResult<ReadOnlyMemory<byte>>(Header(999, 0x8180, 1));
        var server = Start(_responder, broken);

        var thrown = DnsTestMessage.Parse(await DnsTestClient.QueryUdpAsync(server.LocalEndPoint, Query("example.com", A, id: 1)));
        var mismatched = DnsTestMessage.Parse(await DnsTestClient.QueryUdpAsync(server.LocalEndPoint, Query("example.com", A, id: 2)));

        Assert.Equal(2, thrown.Rcode);
        Assert.Equal(2, mismatched.Rcode);
    }

    [Fact]
    public async Task Truncates_AnUpstreamReplyTooBigForUdp()
    {
        DnsForwarder huge = (query, _, _) =>
        {
            var reply = new byte[3000];
            query.Span[..2].CopyTo(reply);
            Header((ushort)((reply[0] << 8) | reply[1]), 0x8180, 0).CopyTo(reply, 0);
            return ValueTask.FromResult<ReadOnlyMemory<byte>>(reply);
        };
        var server = Start(_responder, huge);

        var reply = DnsTestMessage.Parse(await DnsTestClient.QueryUdpAsync(server.LocalEndPoint, Query("example.com", A, id: 3)));

        Assert.True(reply.Truncated);
        Assert.Equal((3, 0, "example.com"), (reply.Header.Id, reply.Rcode, reply.QuestionName));
    }

    [Fact]
    public async Task Serves_TheNewTable_AfterUpdate()
    {
        var responder = new DnsResponder(DnsRecordTable.Empty());
        var server = Start(responder);
        Assert.Equal(3, DnsTestMessage.Parse(await DnsTestClient.QueryUdpAsync(server.LocalEndPoint, Query("users.blog.svc.cluster.local", A))).Rcode);

        responder.Update(BlogZone.Table());

        var reply = DnsTestMessage.Parse(await DnsTestClient.QueryUdpAsync(server.LocalEndPoint, Query("users.blog.svc.cluster.local", A)));
        Assert.Equal("10.96.0.21", reply.Answers[0].Data);
    }

    private DnsServer Start(DnsResponder responder, DnsForwarder? forwarder = null, TimeProvider? time = null)
    {
        var server = new DnsServer(responder, new DnsServerOptions
        {
            EndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            Forwarder = forwarder,
            TimeProvider = time ?? TimeProvider.System,
        });
        server.Start();
        _servers.Add(server);
        return server;
    }
}
