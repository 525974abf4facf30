namespace MeshNet.Cli.Local;

/// <summary>A child process ended while the runner still needed it.</summary>
internal sealed class ChildExitedException : Exception
{
    public ChildExitedException()
    {
    }

    public ChildExitedException(string message)
        : base(message)
    {
    }

    public ChildExitedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ChildExitedException(string source, int exitCode)
        : base($"{source} exited with code {exitCode}")
    {
    }
}
