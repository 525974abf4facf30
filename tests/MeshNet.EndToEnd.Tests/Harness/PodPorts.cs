namespace MeshNet.EndToEnd.Tests.Harness;

/// <summary>The fixed ports of every loopback pod: each pod has its own IP, so all can use the same numbers.</summary>
internal static class PodPorts
{
    public const int AppHttp = 8080;
    public const int AppH2c = 8081;
    public const int SidecarInbound = 15006;
    public const int SidecarOutbound = 15001;
    public const int SidecarAdmin = 15000;

    public static readonly int[] All = [AppHttp, AppH2c, SidecarInbound, SidecarOutbound, SidecarAdmin];

    /// <summary>Generous: on two busy cores several .NET processes start (and JIT) at once.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(45);
}
