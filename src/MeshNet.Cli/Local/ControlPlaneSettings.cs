namespace MeshNet.Cli.Local;

/// <summary>How the runner starts meshnet-control; port 0 lets the OS pick, the ready line reports the choice.</summary>
internal sealed record ControlPlaneSettings(
    string ConfigDirectory,
    string GrpcAddress = "127.0.0.1:0",
    string AdminAddress = "127.0.0.1:0",
    IReadOnlyList<string>? ExtraArguments = null)
{
    public const string ReadyPrefix = "meshnet-control ready ";

    /// <summary>The --state-dir among the extra arguments, where the control plane writes ca-bundle.pem; null without one.</summary>
    public string? StateDirectory =>
        ExtraArguments?.SkipWhile(a => a != "--state-dir").Skip(1).FirstOrDefault();

    public IReadOnlyList<string> ToArguments() =>
        ["--config", ConfigDirectory, "--grpc", GrpcAddress, "--admin", AdminAddress, .. ExtraArguments ?? []];

    /// <summary>Reads "meshnet-control ready grpc=IP:PORT admin=IP:PORT" into the two URLs.</summary>
    public static (Uri Grpc, Uri Admin) ParseReadyLine(string line)
    {
        if (!line.StartsWith(ReadyPrefix, StringComparison.Ordinal))
        {
            throw new FormatException($"not a control-plane ready line: '{line}'");
        }

        var fields = line[ReadyPrefix.Length..]
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(f => f.Split('=', 2))
            .Where(kv => kv.Length == 2)
            .ToDictionary(kv => kv[0], kv => kv[1], StringComparer.Ordinal);
        if (!fields.TryGetValue("grpc", out var grpc) || !fields.TryGetValue("admin", out var admin))
        {
            throw new FormatException($"control-plane ready line lacks grpc= or admin=: '{line}'");
        }

        return (new Uri($"http://{grpc}"), new Uri($"http://{admin}"));
    }
}
