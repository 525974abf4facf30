using k8s.Models;

namespace MeshNet.Cli.Local;

/// <summary>
/// Turns a container's command into a local process: command[0] names an assembly built in this repository
/// ("blog-app" runs as `dotnet .../blog-app.dll`), the rest of command and args follow as Kubernetes appends them.
/// </summary>
internal static class ContainerCommand
{
    public static (string FileName, IReadOnlyList<string> Arguments) Resolve(V1Container container, Func<string, string> resolveAssembly)
    {
        if (container.Command is not { Count: > 0 } command)
        {
            throw new ManifestException(
                $"container {container.Name} ({container.Image}) has no command: universal mode runs command[0] as <command>.dll");
        }

        var assembly = Path.GetFileName(command[0]);
        if (assembly.EndsWith(".dll", StringComparison.Ordinal))
        {
            assembly = assembly[..^4];
        }

        var arguments = new List<string> { resolveAssembly(assembly) };
        arguments.AddRange(command.Skip(1));
        arguments.AddRange(container.Args ?? []);
        return (DotnetHost.Path, arguments);
    }
}
