using k8s.Models;
using MeshNet.Kubernetes.Manifests;

namespace MeshNet.Cli.Local;

/// <summary>
/// Reads a manifest directory once, with the same loader and validation as the control plane, into the runner's
/// view: Deployments, StatefulSets and bare Pods to run, Services to expect. Any error stops the run, since the control plane would reject
/// the same document and the mesh would not be what the files say.
/// </summary>
internal static class ManifestReader
{
    public static LocalManifests Read(string directory)
    {
        var set = ManifestLoader.LoadDirectory(directory);
        var deployments = set.Deployments.ToList();
        var services = set.Services.ToList();
        var pods = set.Pods.ToList();
        var statefulSets = set.Objects.Select(o => o.Resource).OfType<V1StatefulSet>().ToList();
        foreach (var metadata in deployments.Select(d => d.Metadata).Concat(services.Select(s => s.Metadata)).Concat(pods.Select(p => p.Metadata))
            .Concat(statefulSets.Select(s => s.Metadata)))
        {
            if (metadata is not null && string.IsNullOrEmpty(metadata.NamespaceProperty))
            {
                metadata.NamespaceProperty = "default";
            }
        }

        return new LocalManifests(deployments, services, [.. set.Errors.Select(e => e.ToString())], pods, statefulSets);
    }
}
