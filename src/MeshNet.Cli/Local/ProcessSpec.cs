using System.Collections.Immutable;

namespace MeshNet.Cli.Local;

/// <summary>How to start one child process; <see cref="Source"/> prefixes its output lines in the log.</summary>
internal sealed record ProcessSpec(
    string Source,
    string FileName,
    ImmutableArray<string> Arguments,
    ImmutableArray<KeyValuePair<string, string>> Environment);
