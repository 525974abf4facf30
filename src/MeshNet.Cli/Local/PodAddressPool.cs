using System.Net;

namespace MeshNet.Cli.Local;

/// <summary>
/// Hands out one loopback address per pod (127.0.1.1, 127.0.1.2, ... 127.0.1.254, 127.0.2.1, ...): Linux routes all
/// of 127/8 to lo, so each pod binds the same ports on its own IP without root, as pods in a cluster do.
/// </summary>
internal sealed class PodAddressPool
{
    private int _next;

    public IPAddress Next()
    {
        var index = _next++;
        var third = 1 + (index / 254);
        if (third > 255)
        {
            throw new InvalidOperationException("The loopback pod address range 127.0.1.1-127.0.255.254 is exhausted.");
        }

        return new IPAddress([127, 0, (byte)third, (byte)(1 + (index % 254))]);
    }
}
