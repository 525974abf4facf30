using System.Net;

namespace MeshNet.Dns.Tests.TestSupport;

/// <summary>A headless Service with many ready endpoints: its answers outgrow a UDP datagram.</summary>
internal static class BigZone
{
    public static DnsService Headless(int endpoints) => new("big", "blog")
    {
        Headless = true,
        Ports = [new("http", 8080)],
        Endpoints = [.. Enumerable.Range(0, endpoints).Select(i => new DnsEndpoint([IPAddress.Parse($"10.245.{i / 250}.{(i % 250) + 1}")]))],
    };

    public static DnsRecordTable Table(int endpoints) => DnsRecordTable.Build([Headless(endpoints)]);
}
