namespace MeshNet.Cli.Local;

/// <summary>A manifest asks for something universal mode cannot run; the message names what and where.</summary>
internal sealed class ManifestException : Exception
{
    public ManifestException()
    {
    }

    public ManifestException(string message)
        : base(message)
    {
    }

    public ManifestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
