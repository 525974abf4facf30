using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using MeshNet.Protocol.V1;

namespace MeshNet.Proxy.Tests.Tls;

/// <summary>Certificates rotating every couple of seconds while requests run: nothing may fail.</summary>
public sealed class RotationTests
{
    private const string ClientId = "spiffe://cluster.local/ns/client/sa/frontend";

    // Lifetime 4 s (backdated 1 s), so each sidecar renews every ~1.6-2.4 s.
    private static readonly TimeSpan ShortLifetime = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Rotation_UnderConstantLoad_FailsNoRequest()
    {
        using var ca = new TestCa();
        var serverCertifier = new TestCaCertifier(ca, ShortLifetime);
        var clientCertifier = new TestCaCertifier(ca, ShortLifetime);
        await using var app = await PeerEchoApp.StartAsync();
        await using var server = await MtlsSidecar.StartAsync(serverCertifier, app.Port, MtlsMode.Strict);
        await using var client = await MtlsSidecar.StartAsync(clientCertifier, 0, MtlsMode.Strict, ns: "client", serviceAccount: "frontend");
        await client.PushAsync("2", MtlsMode.Strict, OutboundMtlsTests.PostsCluster(server, app, "spiffe://cluster.local/ns/blog/sa/posts"));

        // Served leaves seen by a caller that opens a new connection (a full handshake or a resumption) per request.
        var served = new ConcurrentDictionary<string, bool>();
        using var callerCertificate = ca.Issue(ClientId, notAfter: DateTimeOffset.UtcNow.AddHours(1));
        using var direct = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            PooledConnectionLifetime = TimeSpan.Zero,
            SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = SslProtocols.Tls13,
                LocalCertificateSelectionCallback = (_, _, _, _, _) => callerCertificate,
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    served[certificate!.GetSerialNumberString()] = true;
                    return true;
                },
            },
        });
        using var viaMesh = new HttpClient(new SocketsHttpHandler { UseProxy = false });

        var failures = new ConcurrentQueue<string>();
        var succeeded = 0;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var rotatedEnough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task LoadAsync(Func<Task<string>> send, string expected)
        {
            while (!rotatedEnough.Task.IsCompleted && !deadline.IsCancellationRequested)
            {
                try
                {
                    var body = await send();
                    if (body != expected)
                    {
                        failures.Enqueue(body);
                    }
                    else
                    {
                        Interlocked.Increment(ref succeeded);
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException)
                {
                    failures.Enqueue(ex.Message);
                }

                // Three renewals on each side, and new connections saw at least three different server leaves.
                if (serverCertifier.Issued >= 4 && clientCertifier.Issued >= 4 && served.Count >= 3)
                {
                    rotatedEnough.TrySetResult();
                }
            }
        }

        var load = new List<Task>();
        for (var i = 0; i < 4; i++)
        {
            var http2 = i % 2 == 1;
            load.Add(LoadAsync(async () => (await OutboundMtlsTests.SendAsync(client, http2 ? HttpVersion.Version20 : HttpVersion.Version11, viaMesh)).Body, $"{(http2 ? "HTTP/2" : "HTTP/1.1")}|{ClientId}"));
            load.Add(LoadAsync(() => direct.GetStringAsync($"https://127.0.0.1:{server.InboundPort}/"), $"HTTP/1.1|{ClientId}"));
        }

        await Task.WhenAll(load);

        Assert.True(rotatedEnough.Task.IsCompleted, $"certificates did not rotate enough within 30s (server {serverCertifier.Issued}, client {clientCertifier.Issued}, served leaves {served.Count})");
        Assert.Empty(failures);
        Assert.True(succeeded > 0);
    }
}
