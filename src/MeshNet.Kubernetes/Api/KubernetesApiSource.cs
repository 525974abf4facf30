using k8s;
using MeshNet.Kubernetes.Api.Status;
using MeshNet.Model;
using Microsoft.Extensions.Logging;

namespace MeshNet.Kubernetes.Api;

/// <summary>
/// Kubernetes mode's resource source: lists and watches Namespaces, Services, EndpointSlices, Pods and MeshNet's
/// CRDs in every namespace and keeps the sink in step, through the same validators and converters as the manifest
/// directory. Writes the Accepted status of the CRDs from the control plane's verdict (<see cref="Acceptance"/>).
/// </summary>
public sealed class KubernetesApiSource : IAsyncDisposable
{
    /// <summary>Every origin of this source's errors starts so ("kubernetes/pods").</summary>
    public const string OriginPrefix = "kubernetes/";

    private readonly IKubernetes _client;
    private readonly bool _ownsClient;
    private readonly ILogger<KubernetesApiSource> _logger;
    private readonly List<ResourceWatcher> _watchers;
    private readonly PolicyStatusWriter? _statusWriter;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private bool _disposed;

    public KubernetesApiSource(KubernetesApiOptions options, IMeshResourceSink sink, ILoggerFactory loggerFactory, TimeProvider? timeProvider = null)
        : this(KubernetesClientFactory.Create(options ?? throw new ArgumentNullException(nameof(options))), ownsClient: true, options, sink, loggerFactory, timeProvider)
    {
    }

    /// <param name="ownsClient">Whether disposing the source disposes <paramref name="client"/>.</param>
    public KubernetesApiSource(
        IKubernetes client, bool ownsClient, KubernetesApiOptions options, IMeshResourceSink sink, ILoggerFactory loggerFactory, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var time = timeProvider ?? TimeProvider.System;
        _client = client;
        _ownsClient = ownsClient;
        _logger = loggerFactory.CreateLogger<KubernetesApiSource>();
        var watchLogger = loggerFactory.CreateLogger<ResourceWatcher>();
        _statusWriter = options.WriteStatus
            ? new PolicyStatusWriter(client, loggerFactory.CreateLogger<PolicyStatusWriter>(), time, options.Backoff)
            : null;
        _watchers = [.. ApiResourceKinds.All.Select(kind => new ResourceWatcher(kind, client, sink, _statusWriter, watchLogger, time, options.Backoff))];
    }

    /// <summary>Where the control plane reports its verdict on the CRDs; null when status writing is off.</summary>
    public IResourceAcceptanceObserver? Acceptance => _statusWriter;

    /// <summary>The API server's address, for logs and the ready line.</summary>
    public Uri? Host => _client is k8s.Kubernetes { BaseUri: { } uri } ? uri : null;

    internal IReadOnlyList<ResourceWatcher> Watchers => _watchers;

    internal int StatusWrites => _statusWriter?.Written ?? 0;

    /// <summary>
    /// Starts every watcher and returns once each has delivered its first LIST to the sink. While the API server is
    /// unreachable or refuses (RBAC, CRDs not installed) this keeps retrying with backoff and does not return: the
    /// control plane stays unready rather than serving a mesh without half of its resources.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_loops.Count > 0)
        {
            throw new InvalidOperationException("The Kubernetes API source is already started.");
        }

        _statusWriter?.Start();
        foreach (var watcher in _watchers)
        {
            _loops.Add(Task.Run(() => watcher.RunAsync(_stopping.Token), CancellationToken.None));
        }

        await Task.WhenAll(_watchers.Select(w => w.Synced)).WaitAsync(cancellationToken).ConfigureAwait(false);
        ApiLog.Synced(_logger, Host, _watchers.Count);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_loops).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_statusWriter is not null)
        {
            await _statusWriter.DisposeAsync().ConfigureAwait(false);
        }

        if (_ownsClient)
        {
            _client.Dispose();
        }

        _stopping.Dispose();
    }
}
