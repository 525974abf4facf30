using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace MeshNet.Proxy.Telemetry.Tracing;

/// <summary>Which header format a remote parent came in.</summary>
internal enum PropagationFormat
{
    None,
    W3C,
    B3Single,
    B3Multi,
}

/// <summary>
/// Reads a remote parent from request headers and writes ours. W3C Trace Context (traceparent, tracestate) wins;
/// otherwise Zipkin B3 is accepted in its single-header (<c>b3</c>) and multi-header (<c>X-B3-*</c>) forms
/// (openzipkin/b3-propagation). We always write W3C: B3 headers are replaced so the next hop sees one parent.
/// </summary>
internal static class TracePropagation
{
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";
    public const string B3 = "b3";
    public const string B3TraceId = "X-B3-TraceId";
    public const string B3SpanId = "X-B3-SpanId";
    public const string B3ParentSpanId = "X-B3-ParentSpanId";
    public const string B3Sampled = "X-B3-Sampled";
    public const string B3Flags = "X-B3-Flags";

    /// <summary>The remote parent, or default (<see cref="PropagationFormat.None"/>) when the request carries none we can read.</summary>
    public static PropagationFormat Extract(IHeaderDictionary headers, out ActivityContext parent)
    {
        var traceParent = headers.TraceParent;
        if (traceParent.Count == 1
            && ActivityContext.TryParse(traceParent[0], TraceStateOf(headers), isRemote: true, out parent))
        {
            return PropagationFormat.W3C;
        }

        if (headers.TryGetValue(B3, out var single) && single.Count == 1 && TryParseB3Single(single[0] ?? string.Empty, out parent))
        {
            return PropagationFormat.B3Single;
        }

        if (headers.TryGetValue(B3TraceId, out var traceId) && headers.TryGetValue(B3SpanId, out var spanId)
            && TryParseB3Multi(traceId, spanId, headers[B3Sampled], headers[B3Flags], out parent))
        {
            return PropagationFormat.B3Multi;
        }

        parent = default;
        return PropagationFormat.None;
    }

    /// <summary>Makes <paramref name="context"/> the parent the next hop sees (tracestate kept from the request).</summary>
    public static void Inject(IHeaderDictionary headers, in ActivityContext context, PropagationFormat incoming)
    {
        headers.TraceParent = Format(context.TraceId, context.SpanId, context.TraceFlags);
        if (context.TraceState is { Length: > 0 } state)
        {
            headers.TraceState = state;
        }

        if (incoming is PropagationFormat.B3Single or PropagationFormat.B3Multi)
        {
            headers.Remove(B3);
            headers.Remove(B3TraceId);
            headers.Remove(B3SpanId);
            headers.Remove(B3ParentSpanId);
            headers.Remove(B3Sampled);
            headers.Remove(B3Flags);
        }
    }

    /// <summary>"00-{trace-id}-{parent-id}-{flags}" (W3C Trace Context level 1), one allocation.</summary>
    public static string Format(ActivityTraceId traceId, ActivitySpanId spanId, ActivityTraceFlags flags) =>
        string.Create(55, (traceId, spanId, flags), static (chars, state) =>
        {
            "00-".CopyTo(chars);
            // The ids keep their hex form, so ToHexString does not allocate.
            state.traceId.ToHexString().CopyTo(chars[3..35]);
            chars[35] = '-';
            state.spanId.ToHexString().CopyTo(chars[36..52]);
            chars[52] = '-';
            chars[53] = '0';
            chars[54] = (state.flags & ActivityTraceFlags.Recorded) != 0 ? '1' : '0';
        });

    /// <summary>
    /// A traceparent for a new trace that is not sampled, from 16 trace-id and 8 span-id bytes: one string, no
    /// Activity ids (which would each allocate their hex form).
    /// </summary>
    public static string FormatUnsampled(ReadOnlySpan<byte> traceId, ReadOnlySpan<byte> spanId)
    {
        Span<char> chars = stackalloc char[55];
        "00-".CopyTo(chars);
        Convert.TryToHexStringLower(traceId, chars[3..35], out _);
        chars[35] = '-';
        Convert.TryToHexStringLower(spanId, chars[36..52], out _);
        "-00".CopyTo(chars[52..]);
        return new string(chars);
    }

    /// <summary>
    /// True when the request carries a well-formed version-00 traceparent whose sampled flag is clear: with a
    /// parent-based sampler that settles the request without parsing its ids.
    /// </summary>
    public static bool IsUnsampledTraceParent(IHeaderDictionary headers) =>
        headers.TraceParent is { Count: 1 } values && values[0] is { Length: 55 } value
        && value[2] == '-' && value[35] == '-' && value[52] == '-' && value.StartsWith("00", StringComparison.Ordinal)
        && (HexValue(value[54]) & 1) == 0 && HexValue(value[53]) >= 0 && HexValue(value[54]) >= 0;

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => -1,
    };

    /// <summary>"{TraceId}-{SpanId}[-{SamplingState}[-{ParentSpanId}]]"; a lone sampling state carries no parent.</summary>
    internal static bool TryParseB3Single(string value, out ActivityContext parent)
    {
        parent = default;
        var span = value.AsSpan().Trim();
        var first = span.IndexOf('-');
        if (first < 0)
        {
            return false;
        }

        var traceId = span[..first];
        var rest = span[(first + 1)..];
        var second = rest.IndexOf('-');
        var spanId = second < 0 ? rest : rest[..second];
        var sampled = ReadOnlySpan<char>.Empty;
        if (second >= 0)
        {
            rest = rest[(second + 1)..];
            var third = rest.IndexOf('-');
            sampled = third < 0 ? rest : rest[..third];
        }

        // "d" is debug, which implies sampled; an absent state defers the decision, taken here as not sampled.
        var recorded = sampled is "1" or "d";
        if (sampled.Length > 0 && !recorded && sampled is not "0")
        {
            return false;
        }

        return TryCreate(traceId, spanId, recorded, out parent);
    }

    internal static bool TryParseB3Multi(StringValues traceId, StringValues spanId, StringValues sampled, StringValues flags, out ActivityContext parent)
    {
        parent = default;
        if (traceId.Count != 1 || spanId.Count != 1)
        {
            return false;
        }

        var recorded = flags.ToString() == "1" || sampled.ToString() is "1" or "true";
        return TryCreate(traceId[0].AsSpan().Trim(), spanId[0].AsSpan().Trim(), recorded, out parent);
    }

    private static string? TraceStateOf(IHeaderDictionary headers)
    {
        var state = headers.TraceState;
        return state.Count switch
        {
            0 => null,
            1 => state[0],
            // Several tracestate fields are one list (W3C Trace Context 3.3.1).
            _ => string.Join(',', state.ToArray()),
        };
    }

    /// <summary>A 64-bit B3 trace id is left-padded with zeros to 128 bits, as B3 says a 128-bit reader must.</summary>
    private static bool TryCreate(ReadOnlySpan<char> traceId, ReadOnlySpan<char> spanId, bool recorded, out ActivityContext parent)
    {
        parent = default;
        if ((traceId.Length != 16 && traceId.Length != 32) || spanId.Length != 16 || !IsLowerHex(traceId) || !IsLowerHex(spanId))
        {
            return false;
        }

        Span<char> padded = stackalloc char[32];
        padded.Fill('0');
        traceId.CopyTo(padded[(32 - traceId.Length)..]);
        // All-zero ids are invalid in both formats (and rejected by CreateFromString).
        if (padded.IndexOfAnyExcept('0') < 0 || spanId.IndexOfAnyExcept('0') < 0)
        {
            return false;
        }

        var trace = ActivityTraceId.CreateFromString(padded);
        var span = ActivitySpanId.CreateFromString(spanId);
        parent = new ActivityContext(trace, span, recorded ? ActivityTraceFlags.Recorded : ActivityTraceFlags.None, traceState: null, isRemote: true);
        return true;
    }

    private static bool IsLowerHex(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }
}
