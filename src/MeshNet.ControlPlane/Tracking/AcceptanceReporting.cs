using System.Collections.Immutable;
using MeshNet.ControlPlane.Indexing;
using MeshNet.Kubernetes.Api.Status;
using MeshNet.Model;

namespace MeshNet.ControlPlane.Tracking;

/// <summary>
/// Hands the control plane's verdict on policy resources to a source that writes it back (Kubernetes mode's status
/// writer), after every applied batch. Without an attached observer this costs nothing.
/// </summary>
internal sealed class AcceptanceReporting
{
    private volatile IResourceAcceptanceObserver? _observer;

    public void Attach(IResourceAcceptanceObserver observer) => _observer = observer;

    /// <summary>Called by the pipeline under its lock, after the index and the errors of a batch are both in place.</summary>
    public void Report(MeshIndex index, Func<ImmutableArray<ResourceError>> errors)
    {
        if (_observer is not { } observer)
        {
            return;
        }

        var snapshot = index.Snapshot;
        observer.Applied(
            key => key.Kind == ResourceKinds.AuthorizationPolicy ? snapshot.Authorization.GetValueOrDefault(key) : snapshot.Traffic.GetValueOrDefault(key),
            errors());
    }
}
