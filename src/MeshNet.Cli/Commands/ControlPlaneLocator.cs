using MeshNet.Cli.Local.Netns;

namespace MeshNet.Cli.Commands;

/// <summary>
/// Where the control plane's admin API is, for commands that inspect a running mesh: --control-plane, else
/// MESHNET_CONTROL_PLANE, else what a running netns-mode `meshctl up` recorded in its state file, else the
/// control plane's default admin address.
/// </summary>
internal static class ControlPlaneLocator
{
    public const string EnvironmentVariable = "MESHNET_CONTROL_PLANE";
    public static readonly Uri Default = new("http://127.0.0.1:15014");

    public static Uri Resolve(Uri? flag, string? environment, string stateFile)
    {
        if (flag is not null)
        {
            return flag;
        }

        if (!string.IsNullOrWhiteSpace(environment) && Uri.TryCreate(environment, UriKind.Absolute, out var fromEnvironment))
        {
            return fromEnvironment;
        }

        try
        {
            if (NetnsState.Load(stateFile)?.ControlPlaneAdmin is { Length: > 0 } recorded && Uri.TryCreate(recorded, UriKind.Absolute, out var fromState))
            {
                return fromState;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            // An unreadable state file is not worth failing over: the default may still be right.
        }

        return Default;
    }
}
