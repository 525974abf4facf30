using System.Net;
using System.Net.Sockets;
using System.Text.Json;
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

/// <summary>What one request through the mesh came back with.</summary>
internal sealed record MeshResponse(HttpStatusCode? Status, string? Backend, string? MeshError, Version? Version, string Body)
{
    public bool Succeeded => Status == HttpStatusCode.OK && Backend is not null;

    public static MeshResponse Failed(string reason) => new(null, null, null, null, reason);

    /// <summary>The test backend's JSON body, when the request reached one.</summary>
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public override string ToString() =>
        Succeeded ? $"200 from {Backend}" : $"{(Status is { } s ? ((int)s).ToString(System.Globalization.CultureInfo.InvariantCulture) : "no response")} {MeshError} {Body}".Trim();
}

/// <summary>Counts answers per backend and keeps the failures for the assertion message.</summary>
internal sealed class TrafficTally
{
    private readonly Dictionary<string, int> _byBackend = new(StringComparer.Ordinal);
    private readonly List<MeshResponse> _failures = [];

    public int Total { get; private set; }

    public IReadOnlyDictionary<string, int> ByBackend => _byBackend;

    public IReadOnlyList<MeshResponse> Failures => _failures;

    public void Add(MeshResponse response)
    {
        Total++;
        if (response.Succeeded)
        {
            _byBackend[response.Backend!] = _byBackend.GetValueOrDefault(response.Backend!) + 1;
        }
        else
        {
            _failures.Add(response);
        }
    }

    public override string ToString() =>
        $"{Total} requests: " + string.Join(", ", _byBackend.OrderBy(b => b.Key, StringComparer.Ordinal).Select(b => $"{b.Key}={b.Value}"))
        + (_failures.Count > 0 ? $"; {_failures.Count} failed, first: {_failures[0]}" : string.Empty);
}
