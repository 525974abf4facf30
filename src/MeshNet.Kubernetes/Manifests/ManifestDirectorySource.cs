using System.Threading.Channels;
using MeshNet.Model;
using Microsoft.Extensions.Logging;

namespace MeshNet.Kubernetes.Manifests;

/// <summary>
/// Universal mode's resource source: loads a directory of Kubernetes manifests into the sink, then keeps the
/// sink in step with the files (added, edited, deleted) until disposed.
/// </summary>
public sealed class ManifestDirectorySource : IAsyncDisposable
{
    /// <summary>
    /// Editors save in bursts (truncate, write, rename, chmod) that take a few milliseconds: wait this long after
    /// the first event before reading, so one save is one reload. The control plane's debounce merges what
    /// follows, so this only needs to cover one save, and it adds directly to every change's latency.
    /// </summary>
    internal static readonly TimeSpan CoalescingDelay = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// A file whose size and modification time are unchanged is not read again, unless that modification time
    /// is this close to when it was last read: file systems stamp writes with a coarse clock, so a second write
    /// of the same size within one tick would otherwise go unseen.
    /// </summary>
    internal static readonly TimeSpan StampTrustAge = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Change notifications get lost (inotify queue overflow, network and container filesystems, atomic
    /// symlink swaps), so every 2 s the directory is rescanned and files whose content hash changed reloaded.
    /// </summary>
    internal static readonly TimeSpan RescanInterval = TimeSpan.FromSeconds(2);

    private readonly string _directory;
    private readonly ManifestStateTracker _tracker;
    private readonly ILogger<ManifestDirectorySource> _logger;
    private readonly TimeProvider _timeProvider;
    private readonly CancellationTokenSource _stopping = new();

    // One pending "something changed" flag: events arriving while a scan is pending add nothing.
    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    // Size and modification time of each file when it was last read, and when that was; touched only by the
    // scan, which never runs concurrently with itself.
    private readonly Dictionary<string, (long Length, DateTime Modified, DateTimeOffset ReadAt)> _stamps = new(StringComparer.Ordinal);

    private FileSystemWatcher? _watcher;
    private Task? _loop;
    private bool _disposed;

    public ManifestDirectorySource(string directory, IMeshResourceSink sink, ILogger<ManifestDirectorySource> logger, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(logger);
        _directory = Path.GetFullPath(directory);
        _tracker = new ManifestStateTracker(sink);
        _logger = logger;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Off in tests of the periodic rescan, which must work without change notifications.</summary>
    internal bool WatchFileSystem { get; init; } = true;

    /// <summary>Loads every *.yaml/*.yml file under the directory (recursively) into the sink before returning, then watches.</summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist: a misconfiguration to fail on, not to wait out.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_loop is not null)
        {
            throw new InvalidOperationException("The manifest directory source is already started.");
        }

        if (!Directory.Exists(_directory))
        {
            throw new DirectoryNotFoundException($"Manifest directory not found: {_directory}");
        }

        // Watch before the first scan, so a change made during it is not missed.
        _watcher = WatchFileSystem ? TryCreateWatcher() : null;
        var changes = await ScanAsync(cancellationToken).ConfigureAwait(false);
        var resourceCount = _tracker.Objects.Count();
        var errorCount = changes.Sum(c => c.Errors.Length);
        ManifestLog.InitialLoad(_logger, _tracker.Files.Count, resourceCount, errorCount, _directory);

        _loop = Task.Run(() => WatchAsync(_stopping.Token), CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stopping.CancelAsync().ConfigureAwait(false);
        _watcher?.Dispose();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stopping.Dispose();
    }

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (await WaitForChangeAsync(cancellationToken).ConfigureAwait(false))
                {
                    await Task.Delay(CoalescingDelay, _timeProvider, cancellationToken).ConfigureAwait(false);
                }

                while (_changes.Reader.TryRead(out _))
                {
                }

                try
                {
                    await ScanAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    ManifestLog.ScanFailed(_logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>True when a change notification arrived, false when the rescan interval passed without one.</summary>
    private async Task<bool> WaitForChangeAsync(CancellationToken cancellationToken)
    {
        using var interval = new CancellationTokenSource(RescanInterval, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, interval.Token);
        try
        {
            return await _changes.Reader.WaitToReadAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private async Task<IReadOnlyList<ManifestFileChange>> ScanAsync(CancellationToken cancellationToken)
    {
        var present = ManifestFiles.Enumerate(_directory);
        var changes = new List<ManifestFileChange>();
        foreach (var origin in _tracker.Files.Where(f => !present.ContainsKey(f)).ToList())
        {
            changes.Add(_tracker.Remove(origin));
        }

        foreach (var origin in _stamps.Keys.Where(f => !present.ContainsKey(f)).ToList())
        {
            _stamps.Remove(origin);
        }

        foreach (var (origin, path) in present)
        {
            if (IsUnchanged(origin, path, out var stamp))
            {
                continue;
            }

            ManifestFileContent content;
            try
            {
                content = await ManifestFiles.ReadAsync(path, cancellationToken).ConfigureAwait(false);
                _stamps[origin] = stamp;
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                // Deleted between listing and reading.
                changes.Add(_tracker.Remove(origin));
                continue;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                ManifestLog.ReadFailed(_logger, origin, ex);
                continue;
            }

            if (!string.Equals(_tracker.HashOf(origin), content.Hash, StringComparison.Ordinal))
            {
                changes.Add(_tracker.Apply(origin, content));
            }
        }

        changes.AddRange(_tracker.ResolveReleased());
        foreach (var change in changes)
        {
            Log(change);
        }

        return changes;
    }

    /// <summary>
    /// Reading and hashing every file on every scan costs CPU in proportion to the whole directory (tens of
    /// megabytes for thousands of Services, every 2 s); a stat call per file does not.
    /// </summary>
    private bool IsUnchanged(string origin, string path, out (long Length, DateTime Modified, DateTimeOffset ReadAt) stamp)
    {
        var info = new FileInfo(path);
        var now = _timeProvider.GetUtcNow();
        stamp = info.Exists ? (info.Length, info.LastWriteTimeUtc, now) : (-1, default, now);
        return info.Exists
            && _stamps.TryGetValue(origin, out var last)
            && last.Length == stamp.Length
            && last.Modified == stamp.Modified
            && last.ReadAt - new DateTimeOffset(last.Modified, TimeSpan.Zero) > StampTrustAge;
    }

    private void Log(ManifestFileChange change)
    {
        if (change.Removed)
        {
            ManifestLog.FileRemoved(_logger, change.Origin, change.Deleted);
            return;
        }

        ManifestLog.FileApplied(_logger, change.Origin, change.Upserted, change.Deleted, change.Errors.Length);
        foreach (var error in change.Errors)
        {
            ManifestLog.ManifestError(_logger, error);
        }
    }

    private FileSystemWatcher? TryCreateWatcher()
    {
        try
        {
            var watcher = new FileSystemWatcher(_directory)
            {
                IncludeSubdirectories = true,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
            };
            watcher.Created += OnChanged;
            watcher.Changed += OnChanged;
            watcher.Deleted += OnChanged;
            watcher.Renamed += OnChanged;
            watcher.Error += (_, _) => _changes.Writer.TryWrite(true);
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception ex) when (ex is IOException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            // Typically the inotify instance limit: the periodic rescan still keeps the sink current.
            ManifestLog.WatcherUnavailable(_logger, ex);
            return null;
        }
    }

    private void OnChanged(object sender, FileSystemEventArgs e) => _changes.Writer.TryWrite(true);
}
