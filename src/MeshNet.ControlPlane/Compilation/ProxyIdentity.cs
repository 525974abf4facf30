using System.Collections.Immutable;
using MeshNet.Model;

namespace MeshNet.ControlPlane.Compilation;

/// <summary>What the compiler needs to know about one sidecar: where it lives and what its application declares.</summary>
/// <param name="Ports">The application's declared ports, in the order the sidecar sent them.</param>
/// <param name="AppPort">The application's default port (Node.app_port), 0 when not given.</param>
/// <param name="Labels">The workload's labels: which AuthorizationPolicies select it. Null selects none.</param>
/// <param name="Annotations">The pod's annotations (meshnet.io/access-log); null is none.</param>
/// <param name="Owner">The owning Deployment or StatefulSet, when known: the workload name in its metrics.</param>
internal sealed record ProxyIdentity(
    string Namespace,
    string Name,
    ImmutableArray<WorkloadPort> Ports,
    int AppPort = 0,
    ImmutableDictionary<string, string>? Labels = null,
    ImmutableDictionary<string, string>? Annotations = null,
    string? Owner = null)
{
    public string Id => MeshNames.NamespacedName(Namespace, Name);
}
