using System.Net;
using MeshNet.Proxy.Hosting;

namespace MeshNet.Proxy.Gateway;

/// <summary>
/// One gateway listener ("--expose 127.0.100.1:80=frontend.blog:80"): every request arriving on
/// <see cref="Listen"/> is routed as an outbound request to the virtual host <see cref="Host"/>.
/// </summary>
internal sealed record ExposedListener(IPEndPoint Listen, string Host)
{
    /// <summary>Parses "LISTEN_ADDR:PORT=HOST:PORT"; the host part must carry its port, as route domains do.</summary>
    public static ExposedListener? Parse(string value, out string? error)
    {
        var eq = value.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0 || eq == value.Length - 1)
        {
            error = $"--expose: '{value}' is not LISTEN_ADDR:PORT=HOST:PORT";
            return null;
        }

        if (!ProxyCommandLine.TryEndPoint("--expose", value[..eq], out var listen, out error))
        {
            return null;
        }

        var host = value[(eq + 1)..];
        var colon = host.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(host.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
            || port is < 1 or > 65535)
        {
            error = $"--expose: '{host}' is not HOST:PORT (e.g. frontend.blog:80)";
            return null;
        }

        return new ExposedListener(listen, host);
    }
}
