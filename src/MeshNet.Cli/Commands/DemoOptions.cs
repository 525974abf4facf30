namespace MeshNet.Cli.Commands;

/// <summary>`meshctl demo` settings; rate 0 means as fast as the workers go.</summary>
internal sealed record DemoOptions(
    string Directory,
    TimeSpan Duration,
    int RequestsPerSecond,
    int Concurrency,
    bool Json,
    bool Verbose,
    System.Net.IPAddress PodNetwork,
    Local.Netns.NetnsOptions? Netns = null)
{
    public const string ClientName = "demo-client";
    public const string Namespace = "blog";
    public const string FrontendHost = "frontend.blog";
}
