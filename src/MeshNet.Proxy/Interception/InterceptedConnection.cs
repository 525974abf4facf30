using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace MeshNet.Proxy.Interception;

/// <summary>
/// What the connection middleware learned from SO_ORIGINAL_DST, handed to the request path through the
/// connection's items (visible to every request on it, HTTP/1.1 or HTTP/2).
/// </summary>
internal static class InterceptedConnection
{
    private const string VirtualHostItem = "meshnet.intercepted.virtual-host";
    private const string TargetPortItem = "meshnet.intercepted.target-port";
    private const string AddressItem = "meshnet.intercepted.address";
    private const string ExposedItem = "meshnet.gateway.exposed";

    /// <summary>"10.96.0.12:80" or "[fd00::12]:80": the spelling virtual-host domains use for an IP literal.</summary>
    public static string DomainKey(IPEndPoint destination) =>
        destination.AddressFamily == AddressFamily.InterNetworkV6
            ? string.Create(CultureInfo.InvariantCulture, $"[{destination.Address}]:{destination.Port}")
            : string.Create(CultureInfo.InvariantCulture, $"{destination.Address}:{destination.Port}");

    public static void SetVirtualHost(IDictionary<object, object?> items, IPEndPoint destination, string domainKey)
    {
        items[VirtualHostItem] = domainKey;
        items[AddressItem] = destination.Address.ToString();
    }

    /// <summary>
    /// A gateway listener's connection: routed like an outbound one to <paramref name="host"/> ("frontend.blog:80"),
    /// with no dialled address (a gateway is never headless-pod aware: it picks among the Service's endpoints).
    /// </summary>
    public static void SetExposedHost(IDictionary<object, object?> items, string host)
    {
        items[VirtualHostItem] = host;
        items[ExposedItem] = true;
    }

    /// <summary>True on a gateway (--expose) listener's connection.</summary>
    public static bool IsExposed(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.ContainsKey(ExposedItem) == true;

    /// <summary>The IP the app dialled, when intercepted to a virtual host.</summary>
    public static string? Address(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(AddressItem, out var value) == true ? value as string : null;

    public static void SetTargetPort(IDictionary<object, object?> items, int port) => items[TargetPortItem] = port;

    /// <summary>The ClusterIP:port (or pod IP:port) the app dialled, when the connection was intercepted.</summary>
    public static string? VirtualHost(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(VirtualHostItem, out var value) == true ? value as string : null;

    /// <summary>The port a redirected inbound connection was addressed to, when it was redirected.</summary>
    public static int? TargetPort(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(TargetPortItem, out var value) == true ? value as int? : null;
}
