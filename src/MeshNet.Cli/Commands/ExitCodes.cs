namespace MeshNet.Cli.Commands;

/// <summary>
/// meshctl's exit codes, one meaning each across commands so scripts can tell "the answer is no" from "could not ask"
/// (as grep and diff do): CI gating on `meshctl analyze` must not mistake a typo in its flags for a finding.
/// </summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The command ran and its answer is a failure: errors found, resource not found, demo requests failed.</summary>
    public const int Failed = 1;

    /// <summary>The command could not do its job: a usage error, an unreachable control plane, unreadable input.</summary>
    public const int CouldNotRun = 2;

    /// <summary>Ctrl-C or SIGTERM (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}
