using MeshNet.Kubernetes.Api;
using Microsoft.Extensions.Logging.Abstractions;

namespace MeshNet.Kubernetes.Tests.Api;

/// <summary>The API server double with the blog namespace loaded, and the production source watching it.</summary>
internal sealed class ApiHarness : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _deadline = new(Deadline);

    private ApiHarness(ApiServerDouble server)
    {
        Server = server;
    }

    public ApiServerDouble Server { get; }

    public WaitableSink Sink { get; } = new();

    public KubernetesApiSource Source { get; private set; } = null!;

    public CancellationToken Timeout => _deadline.Token;

    /// <summary>Starts the double with a namespace, a Service, two pods and their EndpointSlice; <paramref name="start"/> false leaves the source to the test.</summary>
    public static async Task<ApiHarness> StartAsync(bool start = true, bool writeStatus = true)
    {
        var server = await ApiServerDouble.StartAsync();
        server.Apply(ApiObjects.Namespace("blog", """{"kubernetes.io/metadata.name": "blog", "meshnet.io/inject": "enabled"}"""));
        server.Apply(ApiObjects.Service("blog", "posts", "10.96.0.20"));
        server.Apply(ApiObjects.Pod("blog", "posts-7d9f8b6c5d-abcde", "posts", "10.244.1.5"));
        server.Apply(ApiObjects.Pod("blog", "posts-7d9f8b6c5d-fghij", "posts", "10.244.2.7", ready: false));
        server.Apply(ApiObjects.Pod("blog", "users-5c8f7d6b4a-klmno", "users", "10.244.1.9", hash: "5c8f7d6b4a", serviceAccount: "users"));
        server.Apply(ApiObjects.EndpointSlice("blog", "posts", "posts-x2k9q",
            ("10.244.1.5", "posts-7d9f8b6c5d-abcde", true, true, false),
            ("10.244.2.7", "posts-7d9f8b6c5d-fghij", false, false, true)));
        var harness = new ApiHarness(server);
        harness.Source = new KubernetesApiSource(
            server.CreateClient(),
            ownsClient: true,
            new KubernetesApiOptions(null) { WriteStatus = writeStatus, BackoffInitial = TimeSpan.FromMilliseconds(1), BackoffMax = TimeSpan.FromMilliseconds(20) },
            harness.Sink,
            NullLoggerFactory.Instance,
            timeProvider: null);
        if (start)
        {
            await harness.Source.StartAsync(harness.Timeout);
        }

        return harness;
    }

    public async ValueTask DisposeAsync()
    {
        await Source.DisposeAsync();
        await Server.DisposeAsync();
        _deadline.Dispose();
    }
}
