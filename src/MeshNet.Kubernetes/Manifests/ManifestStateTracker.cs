using System.Collections.Immutable;
using System.Globalization;
using MeshNet.Kubernetes.Conversion;
using MeshNet.Model;

namespace MeshNet.Kubernetes.Manifests;

/// <summary>What applying or removing one file did, for logging.</summary>
internal sealed record ManifestFileChange(string Origin, bool Removed, int Upserted, int Deleted, ImmutableArray<ResourceError> Errors);

/// <summary>
/// Turns successive versions of manifest files into the minimal stream of sink calls.
/// <para>
/// Invariants: every resource key is owned by at most one file (the first to define it; later definitions are
/// errors and wait, "blocked", until the owner lets go); a file's resources are only deleted when the file is
/// gone or every one of its documents was readable and none defines them any more; a document that became
/// invalid keeps its resource's last good version in force.
/// </para>
/// Not thread-safe: one caller (the directory source's loop, or the one-shot loader) drives it.
/// </summary>
internal sealed class ManifestStateTracker
{
    private static readonly IReadOnlyDictionary<ResourceKey, ManifestObject> NoObjects = ImmutableDictionary<ResourceKey, ManifestObject>.Empty;

    private readonly IMeshResourceSink _sink;
    private readonly Dictionary<string, FileState> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<ResourceKey, string> _owners = [];
    private readonly HashSet<ResourceKey> _released = [];

    public ManifestStateTracker(IMeshResourceSink sink)
    {
        _sink = sink;
    }

    public IReadOnlyCollection<string> Files => _files.Keys;

    /// <summary>Every resource currently in force, in file then document order.</summary>
    public IEnumerable<ManifestObject> Objects =>
        _files.OrderBy(f => f.Key, StringComparer.Ordinal).SelectMany(f => f.Value.Owned.Values.OrderBy(o => o.DocumentIndex));

    public string? HashOf(string origin) => _files.TryGetValue(origin, out var state) ? state.Content.Hash : null;

    public ManifestFileChange Apply(string origin, ManifestFileContent content)
    {
        var parsed = ManifestParser.Parse(origin, content.Text);
        var before = _files.TryGetValue(origin, out var previous) ? previous.Owned : NoObjects;
        var owned = new Dictionary<ResourceKey, ManifestObject>();
        var blocked = new HashSet<ResourceKey>();
        var errors = ImmutableArray.CreateBuilder<ResourceError>();
        var unidentified = false;

        foreach (var document in parsed.Documents)
        {
            errors.AddRange(document.Errors);
            if (document.Accepted is not { } accepted)
            {
                // Last good version: an invalid document does not withdraw what it defined before.
                if (document.Key is null)
                {
                    unidentified = true;
                }
                else if (before.TryGetValue(document.Key, out var lastGood))
                {
                    owned.TryAdd(document.Key, lastGood);
                }

                continue;
            }

            if (owned.TryGetValue(accepted.Key, out var earlier))
            {
                errors.Add(Duplicate(accepted, earlier));
            }
            else if (_owners.TryGetValue(accepted.Key, out var owner) && owner != origin)
            {
                errors.Add(Duplicate(accepted, _files[owner].Owned[accepted.Key]));
                blocked.Add(accepted.Key);
            }
            else
            {
                owned[accepted.Key] = accepted;
            }
        }

        // A document we could not identify may be any of the file's resources: deleting none is the safe choice.
        if (unidentified)
        {
            foreach (var (key, lastGood) in before)
            {
                owned.TryAdd(key, lastGood);
            }
        }

        var (upserted, deleted) = Deliver(origin, before, owned);
        _files[origin] = new FileState(content, owned, blocked);
        var result = errors.ToImmutable();
        _sink.ReportErrors(origin, result);
        return new ManifestFileChange(origin, Removed: false, upserted, deleted, result);
    }

    public ManifestFileChange Remove(string origin)
    {
        if (!_files.Remove(origin, out var state))
        {
            return new ManifestFileChange(origin, Removed: true, 0, 0, []);
        }

        var (_, deleted) = Deliver(origin, state.Owned, NoObjects);
        _sink.ReportErrors(origin, []);
        return new ManifestFileChange(origin, Removed: true, 0, deleted, []);
    }

    /// <summary>
    /// Re-applies files whose definitions lost to an owner that has since let go of the key, so that the
    /// remaining definition takes over without waiting for its file to change.
    /// </summary>
    public IReadOnlyList<ManifestFileChange> ResolveReleased()
    {
        var changes = new List<ManifestFileChange>();
        while (_released.Count > 0)
        {
            var released = _released.ToHashSet();
            _released.Clear();
            var waiting = _files
                .Where(f => f.Value.Blocked.Overlaps(released))
                .OrderBy(f => f.Key, StringComparer.Ordinal)
                .ToList();
            foreach (var (origin, state) in waiting)
            {
                changes.Add(Apply(origin, state.Content));
            }
        }

        return changes;
    }

    private (int Upserted, int Deleted) Deliver(
        string origin, IReadOnlyDictionary<ResourceKey, ManifestObject> before, IReadOnlyDictionary<ResourceKey, ManifestObject> after)
    {
        var upserted = 0;
        foreach (var (key, current) in after.OrderBy(p => p.Key, ResourceKey.Ordinal))
        {
            _owners[key] = origin;
            if (before.TryGetValue(key, out var old) && string.Equals(old.Canonical, current.Canonical, StringComparison.Ordinal))
            {
                continue;
            }

            if (MeshResourceConverter.TryConvert(current.Resource) is { } resource)
            {
                _sink.Upsert(resource);
                upserted++;
            }
        }

        var deleted = 0;
        foreach (var key in before.Keys.Where(k => !after.ContainsKey(k)).OrderBy(k => k, ResourceKey.Ordinal))
        {
            _owners.Remove(key);
            _released.Add(key);
            if (MeshResourceConverter.IsMeshKind(key.Kind))
            {
                _sink.Delete(key);
                deleted++;
            }
        }

        return (upserted, deleted);
    }

    private static ResourceError Duplicate(ManifestObject duplicate, ManifestObject first) =>
        new(duplicate.Origin, duplicate.DocumentIndex, duplicate.Key, Field: null,
            string.Create(CultureInfo.InvariantCulture, $"duplicate: already defined in {first.Origin} document {first.DocumentIndex}"));

    private sealed record FileState(
        ManifestFileContent Content,
        IReadOnlyDictionary<ResourceKey, ManifestObject> Owned,
        IReadOnlySet<ResourceKey> Blocked);
}
