using System.Net;

namespace MeshNet.Cli.Local.Gateway;

/// <summary>
/// The loopback /24 of a loopback-mode run's gateway: its sidecar on .254 and the control plane's LoadBalancer
/// addresses from .1. Pods count up from the pod network (127.A.B.1, then 127.A.B+1.x, ...), so the gateway takes
/// 127.(A xor 128).B.0: never inside this run's pods, and distinct for runs on distinct pod networks.
/// </summary>
internal static class GatewayNetwork
{
    public static IPAddress ForLoopbackPods(IPAddress podNetwork)
    {
        var bytes = podNetwork.GetAddressBytes();
        return new IPAddress([127, (byte)(bytes[1] ^ 0x80), bytes[2], 0]);
    }
}
