using System.Net;

namespace MeshNet.EndToEnd.Tests.Harness;

/// <summary>
/// A program's "&lt;program&gt; ready key=IP:PORT key=IP:PORT" line: the endpoints it actually bound, which is how
/// a test learns the ports it asked the OS to choose (port 0).
/// </summary>
internal sealed class ReadyLine
{
    private readonly Dictionary<string, IPEndPoint> _endPoints;

    private ReadyLine(Dictionary<string, IPEndPoint> endPoints) => _endPoints = endPoints;

    public static bool TryParse(string program, string line, out ReadyLine? ready)
    {
        ready = null;
        var prefix = program + " ready";
        if (!line.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var endPoints = new Dictionary<string, IPEndPoint>(StringComparer.Ordinal);
        foreach (var field in line[prefix.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = field.Split('=', 2);
            if (parts.Length == 2 && IPEndPoint.TryParse(parts[1], out var endPoint))
            {
                endPoints[parts[0]] = endPoint;
            }
        }

        ready = new ReadyLine(endPoints);
        return true;
    }

    public IPEndPoint this[string key] =>
        _endPoints.TryGetValue(key, out var endPoint)
            ? endPoint
            : throw new KeyNotFoundException($"the ready line names no '{key}' endpoint (has: {string.Join(", ", _endPoints.Keys)})");
}
