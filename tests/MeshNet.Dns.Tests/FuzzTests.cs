using MeshNet.Dns.Tests.TestSupport;
using MeshNet.Dns.Wire;
using static MeshNet.Dns.Tests.TestSupport.DnsQueryBuilder;

namespace MeshNet.Dns.Tests;

/// <summary>
/// Random and mutated packets, a fixed seed and a bounded count: the responder must never throw, and whatever it
/// sends must be a well-formed reply to that query within the size limit.
/// </summary>
public sealed class FuzzTests
{
    private const int Seed = 20261126;

    private static readonly byte[][] Seeds =
    [
        Query("posts.blog.svc.cluster.local", A),
        Query("_cql._tcp.cassandra.blog.svc.cluster.local", Srv, ednsSize: 1232),
        Query("posts-alias.blog.svc.cluster.local", A),
        Query("20.0.96.10.in-addr.arpa", Ptr),
        Query("10-244-3-7.blog.pod.cluster.local", Any, ednsSize: 4096),
        Query("example.com", Aaaa),
        Query("dns-version.cluster.local", Txt),
        Query("big.blog.svc.cluster.local", A),
    ];

    private readonly DnsResponder _responder = new(DnsRecordTable.Build([.. BlogZone.Services, BigZone.Headless(120)], ["blog"]));

    [Fact]
    public void Survives_RandomPackets()
    {
        var random = new Random(Seed);
        for (var i = 0; i < 20_000; i++)
        {
            var packet = new byte[random.Next(0, 600)];
            random.NextBytes(packet);
            if (packet.Length >= 6 && random.Next(2) == 0)
            {
                // Mostly-plausible headers reach deeper into the parser than pure noise.
                packet[2] &= 0x07;
                packet[4] = 0;
                packet[5] = 1;
            }

            AssertValidOrNoReply(packet);
        }
    }

    [Fact]
    public void Survives_MutatedQueries()
    {
        var random = new Random(Seed + 1);
        for (var i = 0; i < 30_000; i++)
        {
            var packet = Mutate(Seeds[random.Next(Seeds.Length)], random);
            AssertValidOrNoReply(packet);
        }
    }

    [Fact]
    public void Survives_RandomNameReads_AtEveryOffset()
    {
        var random = new Random(Seed + 2);
        var chars = new char[DnsMessageReader.MaxNameTextLength];
        for (var i = 0; i < 2_000; i++)
        {
            var packet = Mutate(Seeds[random.Next(Seeds.Length)], random);
            for (var offset = 0; offset < packet.Length; offset++)
            {
                var reader = new DnsMessageReader(packet, offset);
                if (reader.TryReadName(chars, out var length) == DnsNameStatus.Ok)
                {
                    Assert.InRange(length, 0, DnsMessageReader.MaxNameTextLength);
                    Assert.InRange(reader.Position, offset + 1, packet.Length);
                }
            }
        }
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var packet = new List<byte>(seed);
        var mutations = random.Next(1, 6);
        for (var m = 0; m < mutations && packet.Count > 0; m++)
        {
            var at = random.Next(packet.Count);
            switch (random.Next(6))
            {
                case 0:
                    packet[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    packet[at] = (byte)random.Next(256);
                    break;
                case 2:
                    packet.RemoveRange(at, packet.Count - at);
                    break;
                case 3:
                    packet.Insert(at, (byte)random.Next(256));
                    break;
                case 4:
                    // Compression pointers anywhere, the classic source of loops and out-of-range reads.
                    packet[at] = (byte)(0xC0 | random.Next(64));
                    break;
                default:
                    if (packet.Count >= 12)
                    {
                        packet[4 + (2 * random.Next(4)) + 1] = (byte)random.Next(4);
                    }

                    break;
            }
        }

        return [.. packet];
    }

    private void AssertValidOrNoReply(byte[] packet)
    {
        foreach (var transport in new[] { DnsTransport.Udp, DnsTransport.Tcp })
        {
            var buffer = new byte[DnsResponder.MaxMessageSize];
            var result = _responder.Respond(packet, buffer, transport);
            if (result.Outcome == DnsOutcome.Dropped)
            {
                Assert.Equal(0, result.Length);
                continue;
            }

            Assert.InRange(result.Length, DnsHeader.Size, result.SizeLimit);
            var reply = DnsTestMessage.Parse(buffer.AsSpan(0, result.Length));
            Assert.True(reply.Header.IsResponse);
            Assert.Equal((packet[0] << 8) | packet[1], reply.Header.Id);
        }
    }
}
