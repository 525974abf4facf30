using MeshNet.Proxy.Telemetry;
using MeshNet.Proxy.Telemetry.Failures;
using Microsoft.Extensions.Primitives;

namespace MeshNet.Proxy.Tests.Telemetry.Failures;

public sealed class FailureRingTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Keeps_TheLastCapacityEntries_NewestFirst()
    {
        var ring = new FailureRing(3);
        for (var i = 1; i <= 5; i++)
        {
            ring.Add(Entry($"/p{i}", requestId: $"r{i}"));
        }

        Assert.Equal(["/p5", "/p4", "/p3"], ring.Newest().Select(e => e.Path));
        Assert.Equal(5, ring.Recorded);
        Assert.Equal(3, ring.Capacity);
        Assert.Empty(ring.Find("r2"));
        Assert.Equal("/p3", Assert.Single(ring.Find("r3")).Path);
    }

    [Fact]
    public void Lists_FewerThanCapacity_InOrder()
    {
        var ring = new FailureRing(10);
        ring.Add(Entry("/a"));
        ring.Add(Entry("/b"));

        Assert.Equal(["/b", "/a"], ring.Newest().Select(e => e.Path));
    }

    [Fact]
    public void Finds_ByRequestId_AndByTraceId()
    {
        var ring = new FailureRing(10);
        ring.Add(Entry("/req", requestId: "req-1"));
        ring.Add(Entry("/trace", traceId: "4bf92f3577b34da6a3ce929d0e0e4736"));
        ring.Add(Entry("/both", requestId: "req-2", traceId: "0af7651916cd43dd8448eb211c80319c"));

        Assert.Equal("/req", Assert.Single(ring.Find("req-1")).Path);
        Assert.Equal("/trace", Assert.Single(ring.Find("4bf92f3577b34da6a3ce929d0e0e4736")).Path);
        Assert.Equal("/trace", Assert.Single(ring.Find("4BF92F3577B34DA6A3CE929D0E0E4736")).Path);
        Assert.Equal("/both", Assert.Single(ring.Find("req-2")).Path);
        Assert.Equal("/both", Assert.Single(ring.Find("0af7651916cd43dd8448eb211c80319c")).Path);
        Assert.Empty(ring.Find("req"));
        Assert.Empty(ring.Find("REQ-1"));
    }

    [Fact]
    public void Finds_A64BitB3TraceId_ByItsShortForm()
    {
        var ring = new FailureRing(10);
        ring.Add(Entry("/b3", traceId: "0000000000000000a3ce929d0e0e4736"));

        Assert.Single(ring.Find("a3ce929d0e0e4736"));
        Assert.Empty(ring.Find("a3ce929d0e0e4737"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("tab\there")]
    [InlineData("bell\u0007")]
    [InlineData("caf\u00e9")]
    public void Finds_Nothing_ForAnIdThatCannotBeARequestId(string id)
    {
        var ring = new FailureRing(10);
        ring.Add(Entry("/x", requestId: id));

        Assert.Empty(ring.Find(id));
    }

    [Theory]
    [InlineData("abc-123", "abc-123")]
    [InlineData("f47ac10b-58cc-4372-a567-0e02b2c3d479", "f47ac10b-58cc-4372-a567-0e02b2c3d479")]
    [InlineData("with space", null)]
    [InlineData("new\nline", null)]
    [InlineData("nul\0", null)]
    [InlineData("delete\u007f", null)]
    [InlineData("\u00fcber", null)]
    [InlineData("", null)]
    public void Accepts_OnlyPrintableAsciiRequestIds(string header, string? expected) =>
        Assert.Equal(expected, RequestIds.IdOf(new StringValues(header)));

    [Fact]
    public void Refuses_ARequestIdLongerThan128Characters_AndRepeatedHeaders()
    {
        Assert.Equal(new string('a', 128), RequestIds.IdOf(new StringValues(new string('a', 128))));
        Assert.Null(RequestIds.IdOf(new StringValues(new string('a', 129))));
        Assert.Null(RequestIds.IdOf(new StringValues(["one", "two"])));
        Assert.Null(RequestIds.IdOf(StringValues.Empty));
    }

    [Theory]
    [InlineData("/plain", 10, "/plain")]
    [InlineData("/0123456789", 5, "/0123")]
    [InlineData("/a\u001b[31mred", 64, "/a?[31mred")]
    [InlineData("/\u00e9t\u00e9", 64, "/?t?")]
    [InlineData(null, 8, "")]
    public void Stores_FieldsCappedAndPrintable(string? value, int max, string expected) =>
        Assert.Equal(expected, RequestIds.Printable(value, max));

    private static FailedRequest Entry(string path, string? requestId = null, string? traceId = null) => new(
        Noon, TrafficDirection.Outbound, "GET", "posts.blog", path, 503, "overloaded", "blog/posts", string.Empty, 0, traceId, requestId, string.Empty, string.Empty, 1);
}
