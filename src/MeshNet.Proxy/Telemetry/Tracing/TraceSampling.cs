using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;

namespace MeshNet.Proxy.Telemetry.Tracing;

/// <summary>
/// The sampling decision, taken by the sidecar itself before any span exists, so a request that is not sampled
/// costs no Activity at all. Semantics of the OpenTelemetry SDK samplers named by OTEL_TRACES_SAMPLER: parent-based
/// follows a remote parent's sampled flag and applies <see cref="Ratio"/> only to roots; otherwise the ratio applies
/// to every trace id, with the SDK's TraceIdRatioBased rule so that hops deciding alone still agree.
/// </summary>
internal sealed record TraceSampling(double Ratio, bool ParentBased)
{
    public const string SamplerVariable = "OTEL_TRACES_SAMPLER";
    public const string SamplerArgVariable = "OTEL_TRACES_SAMPLER_ARG";

    /// <summary>The OpenTelemetry default, parentbased_always_on.</summary>
    public static TraceSampling Default { get; } = new(1.0, ParentBased: true);

    private long UpperBound => (long)(Math.Clamp(Ratio, 0, 1) * long.MaxValue);

    /// <summary>With a remote parent (parent-based: its flag; else the ratio on its trace id).</summary>
    public bool ShouldSample(in ActivityContext parent) =>
        ParentBased ? (parent.TraceFlags & ActivityTraceFlags.Recorded) != 0 : ByTraceId(parent.TraceId);

    /// <summary>For a new trace.</summary>
    public bool ShouldSampleRoot(ActivityTraceId traceId) => ByTraceId(traceId);

    /// <summary>For a new trace whose 16-byte id is not an <see cref="ActivityTraceId"/> (yet).</summary>
    public bool ShouldSampleRoot(ReadOnlySpan<byte> traceId) => Ratio >= 1 || (Ratio > 0 && ByBytes(traceId));

    /// <summary>
    /// The sampler named by OTEL_TRACES_SAMPLER and its argument (always_on, always_off, traceidratio and their
    /// parentbased_ forms), or null with <paramref name="error"/> for a name or ratio we do not know.
    /// </summary>
    public static TraceSampling? FromEnvironment(string? sampler, string? argument, out string? error)
    {
        error = null;
        if (string.IsNullOrEmpty(sampler))
        {
            return Default;
        }

        var parentBased = sampler.StartsWith("parentbased_", StringComparison.Ordinal);
        var root = parentBased ? sampler["parentbased_".Length..] : sampler;
        switch (root)
        {
            case "always_on":
                return new TraceSampling(1.0, parentBased);
            case "always_off":
                return new TraceSampling(0.0, parentBased);
            case "traceidratio":
                if (string.IsNullOrEmpty(argument))
                {
                    // The specification's default ratio when the argument is missing.
                    return new TraceSampling(1.0, parentBased);
                }

                if (TryParseRatio(argument, out var ratio))
                {
                    return new TraceSampling(ratio, parentBased);
                }

                error = $"{SamplerArgVariable}: '{argument}' is not a ratio between 0 and 1";
                return null;
            default:
                error = $"{SamplerVariable}: '{sampler}' is not one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio";
                return null;
        }
    }

    public static bool TryParseRatio(string value, out double ratio) =>
        double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out ratio) && ratio is >= 0 and <= 1;

    /// <summary>The SDK's rule: the trace id's first 8 bytes as a big-endian non-negative number under ratio x max.</summary>
    private bool ByTraceId(ActivityTraceId traceId)
    {
        if (Ratio >= 1)
        {
            return true;
        }

        if (Ratio <= 0)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[16];
        traceId.CopyTo(bytes);
        return ByBytes(bytes);
    }

    private bool ByBytes(ReadOnlySpan<byte> traceId) => (BinaryPrimitives.ReadInt64BigEndian(traceId) & long.MaxValue) < UpperBound;
}
