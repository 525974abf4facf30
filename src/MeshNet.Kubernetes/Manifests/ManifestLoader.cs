using System.Collections.Immutable;
using k8s.Models;
using MeshNet.Kubernetes.Conversion;
using MeshNet.Model;

namespace MeshNet.Kubernetes.Manifests;

/// <summary>Everything a manifest directory defines, read once: what the local runner and the CLI start from.</summary>
public sealed class ManifestSet
{
    public ManifestSet(ImmutableArray<ManifestObject> objects, ImmutableArray<ResourceError> errors)
    {
        Objects = objects;
        Errors = errors;
    }

    /// <summary>Accepted objects in file then document order; duplicates and invalid documents are left out.</summary>
    public ImmutableArray<ManifestObject> Objects { get; }

    public ImmutableArray<ResourceError> Errors { get; }

    public IEnumerable<V1Namespace> Namespaces => Objects.Select(o => o.Resource).OfType<V1Namespace>();

    public IEnumerable<V1Service> Services => Objects.Select(o => o.Resource).OfType<V1Service>();

    public IEnumerable<V1Pod> Pods => Objects.Select(o => o.Resource).OfType<V1Pod>();

    public IEnumerable<V1EndpointSlice> EndpointSlices => Objects.Select(o => o.Resource).OfType<V1EndpointSlice>();

    public IEnumerable<V1Deployment> Deployments => Objects.Select(o => o.Resource).OfType<V1Deployment>();

    /// <summary>The mesh model of the accepted Namespaces, Services, Pods and EndpointSlices.</summary>
    public IEnumerable<MeshResource> MeshResources =>
        Objects.Select(o => MeshResourceConverter.TryConvert(o.Resource)).OfType<MeshResource>();
}

/// <summary>One-shot loading with the same rules as <see cref="ManifestDirectorySource"/> (duplicates, validation).</summary>
public static class ManifestLoader
{
    /// <summary>Loads every *.yaml/*.yml file under <paramref name="path"/> (recursively), or that one file.</summary>
    public static ManifestSet LoadDirectory(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var tracker = new ManifestStateTracker(NullSink.Instance);
        var errors = new Dictionary<string, ImmutableArray<ResourceError>>(StringComparer.Ordinal);
        IEnumerable<KeyValuePair<string, string>> files = File.Exists(path)
            ? [KeyValuePair.Create(Path.GetFileName(path), path)]
            : Directory.Exists(path)
                ? ManifestFiles.Enumerate(path)
                : throw new DirectoryNotFoundException($"Manifest path not found: {path}");

        foreach (var (origin, fullPath) in files)
        {
            var change = tracker.Apply(origin, ManifestFiles.FromBytes(File.ReadAllBytes(fullPath)));
            errors[origin] = change.Errors;
        }

        return new ManifestSet(
            [.. tracker.Objects],
            [.. errors.OrderBy(e => e.Key, StringComparer.Ordinal).SelectMany(e => e.Value)]);
    }

    /// <summary>Parses manifest text that is not in a file (standard input, an embedded sample).</summary>
    public static ManifestSet LoadText(string origin, string text)
    {
        var tracker = new ManifestStateTracker(NullSink.Instance);
        var change = tracker.Apply(origin, ManifestFiles.FromBytes(System.Text.Encoding.UTF8.GetBytes(text)));
        return new ManifestSet([.. tracker.Objects], change.Errors);
    }

    private sealed class NullSink : IMeshResourceSink
    {
        public static NullSink Instance { get; } = new();

        public void Upsert(MeshResource resource)
        {
        }

        public void Delete(ResourceKey key)
        {
        }

        public void ReportErrors(string origin, IReadOnlyList<ResourceError> errors)
        {
        }
    }
}
