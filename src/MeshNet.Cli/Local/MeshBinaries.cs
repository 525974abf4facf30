namespace MeshNet.Cli.Local;

/// <summary>
/// Finds the assemblies the local runner starts (meshnet-control, meshnet-proxy, the containers' commands) under
/// artifacts/bin/&lt;project&gt;/&lt;configuration&gt;/, preferring the configuration meshctl itself was built in.
/// </summary>
internal sealed class MeshBinaries
{
    public const string OverrideVariable = "MESHNET_BIN_DIR";

    private readonly string? _overrideDirectory;
    private readonly string? _artifactsBin;
    private readonly string[] _configurations;

    public MeshBinaries(string? overrideDirectory, string? repositoryRoot, string preferredConfiguration)
    {
        _overrideDirectory = overrideDirectory;
        _artifactsBin = repositoryRoot is null ? null : Path.Combine(repositoryRoot, "artifacts", "bin");
        var other = preferredConfiguration == "release" ? "debug" : "release";
        _configurations = [preferredConfiguration, other];
    }

    public static MeshBinaries Discover()
    {
        var baseDirectory = AppContext.BaseDirectory;
        var configuration = ConfigurationOf(baseDirectory);
        return new MeshBinaries(
            Environment.GetEnvironmentVariable(OverrideVariable) is { Length: > 0 } dir ? dir : null,
            RepositoryLayout.FindRoot(baseDirectory),
            configuration);
    }

    /// <summary>"release" when the path runs through a release output folder, else "debug".</summary>
    public static string ConfigurationOf(string baseDirectory)
    {
        var parts = baseDirectory.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        return parts.Any(p => string.Equals(p, "release", StringComparison.OrdinalIgnoreCase)) ? "release" : "debug";
    }

    /// <summary>The full path of <c>&lt;assemblyName&gt;.dll</c>.</summary>
    /// <exception cref="FileNotFoundException">It is in none of the places searched (named in the message).</exception>
    public string Resolve(string assemblyName)
    {
        var fileName = assemblyName + ".dll";
        var searched = new List<string>();
        if (_overrideDirectory is not null)
        {
            var candidate = Path.Combine(_overrideDirectory, fileName);
            if (File.Exists(candidate))
            {
                return Path.GetFullPath(candidate);
            }

            searched.Add(_overrideDirectory);
        }

        if (_artifactsBin is not null && Directory.Exists(_artifactsBin))
        {
            var projects = Directory.GetDirectories(_artifactsBin).Order(StringComparer.Ordinal).ToArray();
            foreach (var configuration in _configurations)
            {
                var candidate = projects
                    .Select(project => Path.Combine(project, configuration))
                    .Where(output => File.Exists(Path.Combine(output, fileName)))
                    .OrderBy(output => ReferenceRank(output, assemblyName))
                    .FirstOrDefault();
                if (candidate is not null)
                {
                    return Path.Combine(candidate, fileName);
                }
            }

            searched.Add(Path.Combine(_artifactsBin, "*", string.Join("|", _configurations)));
        }

        throw new FileNotFoundException(
            $"{fileName} not found (searched {(searched.Count == 0 ? "nothing: no checkout and no " + OverrideVariable : string.Join(", ", searched))}); build it first or set {OverrideVariable}.",
            fileName);
    }

    /// <summary>
    /// 0 when <paramref name="output"/> is the assembly's own project output, 1 when it only holds a copy: a project
    /// that references an executable (tests, benchmarks) gets the whole program copied into its output, built
    /// whenever that project was, so it may be stale or built from other sources. The own project is the folder
    /// named like the assembly, or one without an assembly named like its folder (MeshNet.Proxy builds only
    /// meshnet-proxy.dll; MeshNet.Bench.Balancing builds MeshNet.Bench.Balancing.dll and copies meshnet-proxy.dll).
    /// </summary>
    private static int ReferenceRank(string output, string assemblyName)
    {
        var project = Path.GetFileName(Path.GetDirectoryName(output))!;
        if (string.Equals(project, assemblyName, StringComparison.OrdinalIgnoreCase))
        {
            return 0;
        }

        return File.Exists(Path.Combine(output, project + ".dll")) ? 1 : 0;
    }
}
