using System.Diagnostics;
using MeshNet.Proxy.Hosting;
using MeshNet.Proxy.Telemetry.Tracing;
using Microsoft.AspNetCore.Http;

namespace MeshNet.Proxy.Tests.Tracing;

public sealed class TracePropagationTests
{
    private const string Trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string Span = "00f067aa0ba902b7";

    [Theory]
    [InlineData("traceparent", "00-" + Trace + "-" + Span + "-01", "W3C", Trace, true)]
    [InlineData("traceparent", "00-" + Trace + "-" + Span + "-00", "W3C", Trace, false)]
    [InlineData("b3", Trace + "-" + Span, "B3Single", Trace, false)]
    [InlineData("b3", Trace + "-" + Span + "-1", "B3Single", Trace, true)]
    [InlineData("b3", Trace + "-" + Span + "-d", "B3Single", Trace, true)]
    [InlineData("b3", Trace + "-" + Span + "-0-05e3ac9a4f6e3b90", "B3Single", Trace, false)]
    [InlineData("b3", "a3ce929d0e0e4736-" + Span + "-1", "B3Single", "0000000000000000a3ce929d0e0e4736", true)]
    [InlineData("b3", "0", "None", null, false)]
    [InlineData("b3", Trace + "-" + Span + "-x", "None", null, false)]
    [InlineData("b3", "00000000000000000000000000000000-" + Span + "-1", "None", null, false)]
    [InlineData("b3", "4BF92F3577B34DA6A3CE929D0E0E4736-" + Span + "-1", "None", null, false)]
    [InlineData("traceparent", "00-" + Trace + "-0000000000000000-01", "None", null, false)]
    [InlineData("traceparent", "garbage", "None", null, false)]
    public void Extract_ReadsW3CThenB3(string header, string value, string format, string? trace, bool sampled)
    {
        var headers = new HeaderDictionary { [header] = value };

        var found = TracePropagation.Extract(headers, out var parent);

        Assert.Equal(format, found.ToString());
        Assert.Equal(trace, trace is null ? null : parent.TraceId.ToHexString());
        Assert.Equal(sampled, (parent.TraceFlags & ActivityTraceFlags.Recorded) != 0);
    }

    [Theory]
    [InlineData("1", null, true)]
    [InlineData("true", null, true)]
    [InlineData("0", null, false)]
    [InlineData(null, "1", true)]
    public void Extract_ReadsB3MultiHeaders(string? sampled, string? flags, bool expected)
    {
        var headers = new HeaderDictionary { ["X-B3-TraceId"] = Trace, ["X-B3-SpanId"] = Span };
        if (sampled is not null)
        {
            headers["X-B3-Sampled"] = sampled;
        }

        if (flags is not null)
        {
            headers["X-B3-Flags"] = flags;
        }

        Assert.Equal(PropagationFormat.B3Multi, TracePropagation.Extract(headers, out var parent));
        Assert.Equal((Trace, Span, expected), (parent.TraceId.ToHexString(), parent.SpanId.ToHexString(), (parent.TraceFlags & ActivityTraceFlags.Recorded) != 0));
    }

    [Fact]
    public void Extract_PrefersTraceparentOverB3()
    {
        var headers = new HeaderDictionary
        {
            ["traceparent"] = $"00-{Trace}-{Span}-01",
            ["b3"] = "11111111111111111111111111111111-2222222222222222-1",
        };

        Assert.Equal(PropagationFormat.W3C, TracePropagation.Extract(headers, out var parent));
        Assert.Equal(Trace, parent.TraceId.ToHexString());
    }

    [Fact]
    public void Inject_WritesTraceparent_AndRemovesB3()
    {
        var headers = new HeaderDictionary { ["b3"] = $"{Trace}-{Span}-1", ["X-B3-Sampled"] = "1" };
        var context = new ActivityContext(ActivityTraceId.CreateFromString(Trace), ActivitySpanId.CreateFromString(Span), ActivityTraceFlags.Recorded, "a=b");

        TracePropagation.Inject(headers, context, PropagationFormat.B3Single);

        Assert.Equal($"00-{Trace}-{Span}-01", ((IHeaderDictionary)headers).TraceParent.ToString());
        Assert.Equal("a=b", ((IHeaderDictionary)headers).TraceState.ToString());
        Assert.False(headers.ContainsKey("b3"));
        Assert.False(headers.ContainsKey("X-B3-Sampled"));
    }

    [Theory]
    [InlineData("00-" + Trace + "-" + Span + "-00", true)]
    [InlineData("00-" + Trace + "-" + Span + "-02", true)]
    [InlineData("00-" + Trace + "-" + Span + "-01", false)]
    [InlineData("00-" + Trace + "-" + Span + "-0x", false)]
    [InlineData("01-" + Trace + "-" + Span + "-00", false)]
    [InlineData("00-" + Trace + "+" + Span + "-00", false)]
    public void IsUnsampledTraceParent_ReadsOnlyTheFlag(string value, bool unsampled)
    {
        Assert.Equal(unsampled, TracePropagation.IsUnsampledTraceParent(new HeaderDictionary { ["traceparent"] = value }));
    }

    [Fact]
    public void FormatUnsampled_WritesAParsableTraceparent()
    {
        byte[] trace = Convert.FromHexString(Trace);
        byte[] span = Convert.FromHexString(Span);

        var value = TracePropagation.FormatUnsampled(trace, span);

        Assert.Equal($"00-{Trace}-{Span}-00", value);
        Assert.True(ActivityContext.TryParse(value, null, out var parsed));
        Assert.Equal(ActivityTraceFlags.None, parsed.TraceFlags);
    }

    [Theory]
    [InlineData(null, null, 1.0, true)]
    [InlineData("always_off", null, 0.0, false)]
    [InlineData("traceidratio", "0.25", 0.25, false)]
    [InlineData("parentbased_traceidratio", "0.1", 0.1, true)]
    [InlineData("parentbased_always_on", null, 1.0, true)]
    public void Sampler_FromEnvironment(string? sampler, string? argument, double ratio, bool parentBased)
    {
        var sampling = TraceSampling.FromEnvironment(sampler, argument, out var error);

        Assert.Null(error);
        Assert.Equal(new TraceSampling(ratio, parentBased), sampling);
    }

    [Theory]
    [InlineData("jaeger_remote", null, "OTEL_TRACES_SAMPLER: 'jaeger_remote' is not one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio")]
    [InlineData("traceidratio", "2", "OTEL_TRACES_SAMPLER_ARG: '2' is not a ratio between 0 and 1")]
    public void Sampler_FromEnvironment_RejectsUnknownSettings(string sampler, string? argument, string message)
    {
        Assert.Null(TraceSampling.FromEnvironment(sampler, argument, out var error));
        Assert.Equal(message, error);
    }

    [Fact]
    public void Sampler_ParentBased_FollowsTheParentFlag_RatioOnlyForRoots()
    {
        var never = new TraceSampling(0, ParentBased: true);
        var sampledParent = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        var unsampledParent = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.None);

        Assert.True(never.ShouldSample(sampledParent));
        Assert.False(TraceSampling.Default.ShouldSample(unsampledParent));
        Assert.False(never.ShouldSampleRoot(ActivityTraceId.CreateRandom()));
    }

    [Fact]
    public void Sampler_Ratio_KeepsAboutThatShareOfTraceIds_DecidingTheSameWayForTheSameId()
    {
        var half = new TraceSampling(0.5, ParentBased: false);
        var ids = Enumerable.Range(0, 4000).Select(_ => ActivityTraceId.CreateRandom()).ToList();

        var kept = ids.Count(half.ShouldSampleRoot);

        Assert.InRange(kept, 1700, 2300);
        Assert.All(ids, id => Assert.Equal(half.ShouldSampleRoot(id), half.ShouldSampleRoot(id)));
    }

    [Fact]
    public void Flags_OverrideTheVariables()
    {
        var options = ProxyCommandLine.Parse(["--otlp-endpoint", "http://127.0.0.1:4318", "--otlp-protocol", "http/protobuf", "--trace-sampling", "0.1"], out var error, out _);

        Assert.Null(error);
        Assert.NotNull(options);
        Assert.Equal(new Uri("http://127.0.0.1:4318"), options.Tracing.Endpoint);
        Assert.Equal("http/protobuf", options.Tracing.Protocol);
        Assert.True(options.Tracing.Export);
        Assert.Equal(new TraceSampling(0.1, ParentBased: true), options.Tracing.Sampling);
    }

    [Theory]
    [InlineData("--trace-sampling", "1.5", "--trace-sampling: '1.5' is not a ratio between 0 and 1")]
    [InlineData("--otlp-protocol", "thrift", "--otlp-protocol: 'thrift' is not grpc or http/protobuf")]
    [InlineData("--otlp-endpoint", "localhost:4317", "--otlp-endpoint: 'localhost:4317' is not an http(s) URL")]
    public void Flags_RejectBadValues(string flag, string value, string message)
    {
        Assert.Null(ProxyCommandLine.Parse([flag, value], out var error, out _));
        Assert.Equal(message, error);
    }

    [Fact]
    public void Variables_TurnExportOn_AndNoneTurnsItOff()
    {
        var on = TracingOptions.FromEnvironment(name => name == "OTEL_EXPORTER_OTLP_ENDPOINT" ? "http://127.0.0.1:4317" : null, out _);
        var off = TracingOptions.FromEnvironment(name => name switch
        {
            "OTEL_EXPORTER_OTLP_ENDPOINT" => "http://127.0.0.1:4317",
            "OTEL_TRACES_EXPORTER" => "none",
            _ => null,
        }, out _);
        var nothing = TracingOptions.FromEnvironment(_ => null, out _);

        Assert.True(on!.Export);
        Assert.False(off!.Export);
        Assert.False(nothing!.Enabled);
    }
}
