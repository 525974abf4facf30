namespace MeshNet.Model;

/// <summary>
/// Where sources (the manifest directory, sidecar registrations, later the Kubernetes API) deliver resources.
/// Calls must be cheap: the implementation records the change and returns; a single loop applies batches.
/// </summary>
public interface IMeshResourceSink
{
    /// <summary>Adds or replaces a resource. Sources call this only when the content changed.</summary>
    void Upsert(MeshResource resource);

    /// <summary>Removes a resource; a no-op when it is unknown.</summary>
    void Delete(ResourceKey key);

    /// <summary>Replaces the errors reported for one origin (a file, a sidecar). An empty list clears them.</summary>
    void ReportErrors(string origin, IReadOnlyList<ResourceError> errors);
}
