using System.Globalization;
using System.Net;

namespace MeshNet.TestBackend;

/// <summary>
/// What one backend process is: its name and where it listens. Fault modes (a share of error statuses, added
/// delay, hanging, connection resets) belong here as further options, each read by its own middleware.
/// </summary>
internal sealed record BackendOptions(string Name, IPEndPoint Listen, IPEndPoint? H2cListen)
{
    public const string Usage =
        "usage: meshnet-testbackend --name NAME --listen IP:PORT [--h2c-listen IP:PORT]";

    /// <summary>Parses the command line; throws <see cref="FormatException"/> with the reason on bad input.</summary>
    public static BackendOptions Parse(IReadOnlyList<string> args)
    {
        string? name = null;
        IPEndPoint? listen = null;
        IPEndPoint? h2cListen = null;
        for (var i = 0; i < args.Count; i++)
        {
            var flag = args[i];
            var value = i + 1 < args.Count ? args[++i] : throw new FormatException($"{flag} needs a value");
            switch (flag)
            {
                case "--name":
                    name = value;
                    break;
                case "--listen":
                    listen = ParseEndPoint(flag, value);
                    break;
                case "--h2c-listen":
                    h2cListen = ParseEndPoint(flag, value);
                    break;
                default:
                    throw new FormatException($"unknown flag {flag}");
            }
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            throw new FormatException("--name is required");
        }

        return new BackendOptions(name, listen ?? throw new FormatException("--listen is required"), h2cListen);
    }

    private static IPEndPoint ParseEndPoint(string flag, string value) =>
        IPEndPoint.TryParse(value, out var endPoint) && value.Contains(':', StringComparison.Ordinal)
            ? endPoint
            : throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{flag}: '{value}' is not IP:PORT"));
}
