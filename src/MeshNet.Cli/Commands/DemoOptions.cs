namespace MeshNet.Cli.Commands;

/// <summary>`meshctl demo` settings; rate 0 means as fast as the workers go.</summary>
/// <param name="WarmUp">Traffic sent, at the same rate, before the measured window and not counted.</param>
internal sealed record DemoOptions(
    string Directory,
    TimeSpan Duration,
    int RequestsPerSecond,
    int Concurrency,
    bool Json,
    bool Verbose,
    System.Net.IPAddress PodNetwork,
    Local.Netns.NetnsOptions? Netns = null,
    TimeSpan WarmUp = default)
{
    /// <summary>
    /// Freshly started .NET processes run unoptimised code until tiered compilation (with PGO) has recompiled the
    /// hot paths: measured on the blog sample in netns mode at 50 requests/s, p50 is above 50 ms for the first
    /// ~10 s and about 4 ms after. Ten seconds of unmeasured traffic keep that start-up cost out of the figures.
    /// </summary>
    public static readonly TimeSpan DefaultWarmUp = TimeSpan.FromSeconds(10);

    public const string ClientName = "demo-client";
    public const string Namespace = "blog";
    public const string FrontendHost = "frontend.blog";
}
