using System.CommandLine;
using MeshNet.Cli.Local;
using MeshNet.Cli.Output;

namespace MeshNet.Cli.Commands;

/// <summary>The `proxy-status` and `proxy-config` command definitions (System.CommandLine).</summary>
internal static class ProxyCommands
{
    public static Command Status(ShutdownSignal shutdown)
    {
        var format = new Option<string?>("--output", "-o") { Description = "Output format: json" };
        format.AcceptOnlyFromAmong("json");
        var controlPlane = ControlPlaneOption();
        var command = new Command("proxy-status", "Every sidecar: its config version and SYNCED / STALE / NACKED, seconds since its last ACK")
        {
            format, controlPlane,
        };
        command.SetAction(async (parse, _) =>
        {
            using var http = Client();
            var admin = new AdminReader(http, Locate(parse.GetValue(controlPlane)), Console.Error);
            return await new ProxyStatusCommand(admin, Console.Out, Console.Error, Ansi.StdoutEnabled())
                .RunAsync(parse.GetValue(format), shutdown.Token).ConfigureAwait(false);
        });
        return command;
    }

    public static Command Config(ShutdownSignal shutdown)
    {
        var workload = new Argument<string>("WORKLOAD") { Description = "The sidecar's workload: NAME (with -n) or NAME.NAMESPACE" };
        var section = new Argument<string?>("SECTION") { Description = "routes, clusters, endpoints, dns or certs (default: all but certs)", Arity = ArgumentArity.ZeroOrOne };
        section.AcceptOnlyFromAmong([.. ProxyConfigCommand.Sections]);
        var ns = new Option<string>("--namespace", "-n") { Description = "The workload's namespace", DefaultValueFactory = _ => "default" };
        var format = new Option<string?>("--output", "-o") { Description = "Output format: json" };
        format.AcceptOnlyFromAmong("json");
        var controlPlane = ControlPlaneOption();
        var command = new Command("proxy-config", "A sidecar's applied config (routes, clusters, endpoints, dns, certs), through the control plane")
        {
            workload, section, ns, format, controlPlane,
        };
        command.SetAction(async (parse, _) =>
        {
            using var http = Client();
            var admin = new AdminReader(http, Locate(parse.GetValue(controlPlane)), Console.Error);
            return await new ProxyConfigCommand(admin, Console.Out, Ansi.StdoutEnabled())
                .RunAsync(parse.GetValue(workload)!, parse.GetValue(ns)!, parse.GetValue(section), parse.GetValue(format), shutdown.Token)
                .ConfigureAwait(false);
        });
        return command;
    }

    internal static Option<Uri?> ControlPlaneOption() => new("--control-plane")
    {
        Description = $"Control plane admin URL (default: ${ControlPlaneLocator.EnvironmentVariable}, the running `up`, or {ControlPlaneLocator.Default})",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
            if (Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps))
            {
                return url;
            }

            result.AddError($"--control-plane '{text}' is not an http(s) URL (e.g. http://127.0.0.1:15014)");
            return null;
        },
    };

    private static HttpClient Client() => new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };

    private static Uri Locate(Uri? flag) =>
        ControlPlaneLocator.Resolve(flag, Environment.GetEnvironmentVariable(ControlPlaneLocator.EnvironmentVariable), Local.Netns.NetnsOptions.DefaultStateFile);
}
