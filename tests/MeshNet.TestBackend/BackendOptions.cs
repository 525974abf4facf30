using System.Globalization;
using System.Net;

namespace MeshNet.TestBackend;

/// <summary>
/// What one backend process is: its name, where it listens and the fault modes it starts with (changeable at run
/// time through <c>PUT /__faults</c>).
/// </summary>
internal sealed record BackendOptions(string Name, IPEndPoint Listen, IPEndPoint? H2cListen, FaultSettings Faults)
{
    public const string Usage =
        "usage: meshnet-testbackend --name NAME --listen IP:PORT [--h2c-listen IP:PORT]\n"
        + "       [--fail-rate 0..1] [--fail-status CODE] [--delay-ms N] [--hang] [--reset]";

    /// <summary>Parses the command line; throws <see cref="FormatException"/> with the reason on bad input.</summary>
    public static BackendOptions Parse(IReadOnlyList<string> args)
    {
        string? name = null;
        IPEndPoint? listen = null;
        IPEndPoint? h2cListen = null;
        var faults = FaultSettings.None;
        for (var i = 0; i < args.Count; i++)
        {
            var flag = args[i];
            if (flag is "--hang" or "--reset")
            {
                faults = flag == "--hang" ? faults with { Hang = true } : faults with { Reset = true };
                continue;
            }

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
                case "--fail-rate":
                    faults = faults with { FailRate = ParseNumber(flag, value) };
                    break;
                case "--fail-status":
                    faults = faults with { FailStatus = (int)ParseNumber(flag, value) };
                    break;
                case "--delay-ms":
                    faults = faults with { DelayMs = (int)ParseNumber(flag, value) };
                    break;
                default:
                    throw new FormatException($"unknown flag {flag}");
            }
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            throw new FormatException("--name is required");
        }

        return new BackendOptions(name, listen ?? throw new FormatException("--listen is required"), h2cListen, faults.Validated());
    }

    private static double ParseNumber(string flag, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new FormatException($"{flag}: '{value}' is not a number");

    private static IPEndPoint ParseEndPoint(string flag, string value) =>
        IPEndPoint.TryParse(value, out var endPoint) && value.Contains(':', StringComparison.Ordinal)
            ? endPoint
            : throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{flag}: '{value}' is not IP:PORT"));
}
