using System.Net;
using System.Net.Sockets;
using Grpc.Net.Client;

namespace MeshNet.EndToEnd.Tests.Harness;

/// <summary>
/// An application's view of the mesh in explicit mode: requests name the Service (<c>http://backend.e2e/</c>),
/// and every connection is dialled to the pod's sidecar outbound listener instead, so the Host header and
/// HTTP/2 :authority stay the Service's name, as the sidecar routes on them.
/// </summary>
internal sealed class MeshClient : IDisposable
{
    public const string BackendHeader = "x-backend";
    public const string ErrorHeader = "x-meshnet-error";

    private readonly SocketsHttpHandler _handler;

    public MeshClient(IPEndPoint outbound)
    {
        _handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(outbound, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        Http = new HttpClient(_handler, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(10) };
    }

    public HttpClient Http { get; }

    /// <summary>One GET; the outcome names the backend that answered, or why none did.</summary>
    /// <param name="host">A Host header other than the URL's (HttpClient drops a default ":80" from the URL).</param>
    public async Task<MeshResponse> GetAsync(string url, Version? version = null, string? host = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (host is not null)
        {
            request.Headers.Host = host;
        }

        if (version is not null)
        {
            request.Version = version;
            request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }

        try
        {
            using var response = await Http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            return new MeshResponse(
                response.StatusCode,
                Header(response, BackendHeader),
                Header(response, ErrorHeader),
                response.Version,
                body);
        }
        catch (HttpRequestException ex)
        {
            return MeshResponse.Failed(ex.Message);
        }
        catch (TaskCanceledException ex)
        {
            return MeshResponse.Failed("timeout: " + ex.Message);
        }
    }

    /// <summary>Sends <paramref name="count"/> GETs one after another and tallies who answered.</summary>
    public async Task<TrafficTally> SendAsync(string url, int count, Version? version = null)
    {
        var tally = new TrafficTally();
        for (var i = 0; i < count; i++)
        {
            tally.Add(await GetAsync(url, version));
        }

        return tally;
    }

    /// <summary>A gRPC channel to <paramref name="address"/> (a Service URL) through the sidecar.</summary>
    public GrpcChannel GrpcChannel(string address) =>
        Grpc.Net.Client.GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = _handler, DisposeHttpClient = false });

    public void Dispose()
    {
        Http.Dispose();
        _handler.Dispose();
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
