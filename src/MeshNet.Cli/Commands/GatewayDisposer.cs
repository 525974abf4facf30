using MeshNet.Cli.Local.Gateway;

namespace MeshNet.Cli.Commands;

/// <summary>Stops the gateway's listeners, whenever (and if) it was started, before the session goes.</summary>
internal sealed class GatewayDisposer(Func<MeshGateway?> gateway) : IDisposable
{
    public void Dispose() => gateway()?.Dispose();
}
