using k8s;
using k8s.Models;

namespace MeshNet.Cli.Local;

/// <summary>
/// Reads a manifest directory once (every *.yaml/*.yml under it) into the runner's view.
/// The control plane validates the same files strictly and reports problems on /debug/errors; here only what
/// cannot run at all is an error.
/// </summary>
internal static class ManifestReader
{
    public static LocalManifests Read(string directory)
    {
        var deployments = new List<V1Deployment>();
        var services = new List<V1Service>();
        var errors = new List<string>();
        var files = Directory.EnumerateFiles(directory, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var origin = Path.GetRelativePath(directory, file);
            try
            {
                foreach (var resource in KubernetesYaml.LoadAllFromString(File.ReadAllText(file)))
                {
                    switch (resource)
                    {
                        case V1Deployment deployment:
                            Defaults(deployment.Metadata);
                            deployments.Add(deployment);
                            break;
                        case V1Service service:
                            Defaults(service.Metadata);
                            services.Add(service);
                            break;
                        default:
                            break;
                    }
                }
            }
            catch (Exception e) when (e is YamlDotNet.Core.YamlException or InvalidOperationException or ArgumentException)
            {
                errors.Add($"{origin}: {e.Message}");
            }
        }

        return new LocalManifests(deployments, services, errors);
    }

    private static void Defaults(V1ObjectMeta? metadata)
    {
        if (metadata is not null && string.IsNullOrEmpty(metadata.NamespaceProperty))
        {
            metadata.NamespaceProperty = "default";
        }
    }
}
