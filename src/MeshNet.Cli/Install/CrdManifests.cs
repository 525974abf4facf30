using System.Reflection;

namespace MeshNet.Cli.Install;

/// <summary>The chart's crds/ files, embedded at build time (the chart stays their only copy), printed verbatim.</summary>
internal static class CrdManifests
{
    private const string Prefix = "MeshNet.Cli.Crds.";

    public static IReadOnlyList<string> All()
    {
        var assembly = typeof(CrdManifests).Assembly;
        return [.. assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => Read(assembly, n))];
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
