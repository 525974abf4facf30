using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace MeshNet.Architecture.Tests;

/// <summary>
/// Keeps DESIGN.md's one-way arrows true: hosts -> libraries -> Model/Protocol, and the sidecar never sees the
/// control plane's Kubernetes-facing model. Reads the built assemblies' metadata, so it checks what actually ships.
/// </summary>
public sealed class AssemblyReferenceTests
{
    // project -> (assembly file, the MeshNet assemblies it may reference)
    private static readonly Dictionary<string, (string File, string[] Allowed)> Rules = new()
    {
        ["MeshNet.Model"] = ("MeshNet.Model.dll", []),
        ["MeshNet.Protocol"] = ("MeshNet.Protocol.dll", []),
        ["MeshNet.Dns"] = ("MeshNet.Dns.dll", []),
        ["MeshNet.Kubernetes"] = ("MeshNet.Kubernetes.dll", ["MeshNet.Model"]),
        ["MeshNet.ControlPlane"] = ("meshnet-control.dll", ["MeshNet.Model", "MeshNet.Kubernetes", "MeshNet.Protocol", "MeshNet.Dns"]),
        ["MeshNet.Proxy"] = ("meshnet-proxy.dll", ["MeshNet.Protocol", "MeshNet.Dns"]),
        ["MeshNet.Cli"] = ("meshctl.dll", ["MeshNet.Model", "MeshNet.Kubernetes", "MeshNet.Protocol"]),
    };

    public static TheoryData<string> Projects => new(Rules.Keys);

    [Theory]
    [MemberData(nameof(Projects))]
    public void References_OnlyTheMeshNetAssembliesItsLayerAllows(string project)
    {
        var (file, allowed) = Rules[project];
        var references = MeshNetReferencesOf(Path.Combine(ArtifactsFolder(project), file));

        var forbidden = references.Except(allowed, StringComparer.Ordinal).ToArray();

        Assert.True(forbidden.Length == 0, $"{project} references {string.Join(", ", forbidden)}; DESIGN.md allows only [{string.Join(", ", allowed)}]");
    }

    [Fact]
    public void Proxy_DoesNotReferenceKubernetesClient()
    {
        var references = AllReferencesOf(Path.Combine(ArtifactsFolder("MeshNet.Proxy"), "meshnet-proxy.dll"));

        Assert.DoesNotContain("KubernetesClient", references);
    }

    private static string[] MeshNetReferencesOf(string path) =>
        AllReferencesOf(path).Where(n => n.StartsWith("MeshNet.", StringComparison.Ordinal)).ToArray();

    private static string[] AllReferencesOf(string path)
    {
        Assert.True(File.Exists(path), $"built assembly not found: {path}");
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        return reader.AssemblyReferences
            .Select(h => reader.GetString(reader.GetAssemblyReference(h).Name))
            .ToArray();
    }

    /// <summary>artifacts/bin/&lt;project&gt;/&lt;configuration&gt;, the configuration being the one this test was built in.</summary>
    private static string ArtifactsFolder(string project)
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = testBin.Name;
        var artifactsBin = testBin.Parent!.Parent!.FullName;
        return Path.Combine(artifactsBin, project, configuration);
    }
}
