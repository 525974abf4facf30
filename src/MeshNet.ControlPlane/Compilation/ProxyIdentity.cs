using System.Collections.Immutable;
using MeshNet.Model;

namespace MeshNet.ControlPlane.Compilation;

/// <summary>What the compiler needs to know about one sidecar: where it lives and what its application declares.</summary>
/// <param name="Ports">The application's declared ports, in the order the sidecar sent them.</param>
internal sealed record ProxyIdentity(string Namespace, string Name, ImmutableArray<WorkloadPort> Ports)
{
    public string Id => MeshNames.NamespacedName(Namespace, Name);
}
