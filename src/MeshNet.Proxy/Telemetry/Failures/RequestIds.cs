using System.Diagnostics;
using MeshNet.Proxy.Telemetry.Tracing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace MeshNet.Proxy.Telemetry.Failures;

/// <summary>
/// The ids a failed request can be asked about later: its <c>x-request-id</c>, its trace id (W3C or B3), or an id
/// the sidecar made up for an error response of its own. Request headers are hostile input: an id is taken only
/// when it is one value of printable ASCII without spaces and at most <see cref="MaxIdLength"/> characters; anything
/// else counts as absent (and a fresh id is generated if the mesh answers the request itself).
/// </summary>
internal static class RequestIds
{
    public const string Header = "x-request-id";

    /// <summary>Longer than any UUID, trace id or common request-id format; long enough values are someone's payload.</summary>
    public const int MaxIdLength = 128;

    private const string B3Padding = "0000000000000000";

    /// <summary>The header's id, or null when it is absent, repeated or not a well-formed id.</summary>
    public static string? IdOf(StringValues values) => values.Count == 1 && values[0] is { } value && IsValidId(value) ? value : null;

    public static bool IsValidId(string value)
    {
        if (value.Length is 0 or > MaxIdLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c is < '!' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The request's trace id (32 lowercase hex): from traceparent or B3 headers, else the current span's.</summary>
    public static string? TraceIdOf(HttpContext context)
    {
        if (TracePropagation.Extract(context.Request.Headers, out var parent) != PropagationFormat.None)
        {
            return parent.TraceId.ToHexString();
        }

        return Activity.Current is { } span && span.TraceId != default ? span.TraceId.ToHexString() : null;
    }

    /// <summary>
    /// Equal trace ids, ignoring case; a 64-bit B3 id (16 hex) also matches the 128-bit form it was padded to.
    /// </summary>
    public static bool SameTraceId(string traceId, string id) =>
        string.Equals(traceId, id, StringComparison.OrdinalIgnoreCase)
        || (id.Length == 16 && traceId.Length == 32
            && traceId.StartsWith(B3Padding, StringComparison.Ordinal)
            && traceId.AsSpan(16).Equals(id, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Marks a response the sidecar produces itself: sets <c>x-request-id</c> (the request's own, else its trace id,
    /// else a fresh one) unless the response already carries one, and keeps <paramref name="detail"/> for the failure
    /// record. Only ever called on a failure path, so the success path allocates nothing for it.
    /// </summary>
    public static void Stamp(HttpContext context, string? detail = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (detail is not null)
        {
            context.Features.Set(new FailureDetail(detail));
        }

        var response = context.Response;
        if (response.HasStarted || IdOf(response.Headers[Header]) is not null)
        {
            return;
        }

        response.Headers[Header] = IdOf(context.Request.Headers[Header]) ?? TraceIdOf(context) ?? Guid.NewGuid().ToString("N");
    }

    /// <summary>
    /// <paramref name="value"/> cut to <paramref name="max"/> characters, each outside printable ASCII replaced by
    /// '?', so a stored field can be printed on a terminal as it is.
    /// </summary>
    public static string Printable(string? value, int max)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        var cut = value.Length > max ? value.AsSpan(0, max) : value.AsSpan();
        if (cut.Length == value.Length && !cut.ContainsAnyExceptInRange(' ', '~'))
        {
            return value;
        }

        return string.Create(cut.Length, value, static (chars, source) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                var c = source[i];
                chars[i] = c is < ' ' or > '~' ? '?' : c;
            }
        });
    }
}

/// <summary>Set on a request the sidecar refused, with what it knew (the denying policy, the breaker's load).</summary>
internal sealed record FailureDetail(string Text);
