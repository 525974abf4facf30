using System.CommandLine;
using MeshNet.Cli.Local;

namespace MeshNet.Cli.Commands;

/// <summary>The System.CommandLine wiring of `meshctl analyze` and `meshctl explain`.</summary>
internal static class DiagnoseCommands
{
    public static Command Analyze(ShutdownSignal shutdown)
    {
        var dir = new Argument<string?>("DIR") { Description = "Manifest directory (or one file) to analyze offline", Arity = ArgumentArity.ZeroOrOne };
        var live = new Option<bool>("--live") { Description = "Analyze the running mesh (the control plane's current state) instead of a directory" };
        var format = new Option<string?>("--output", "-o") { Description = "Output format: json" };
        format.AcceptOnlyFromAmong("json");
        var controlPlane = ControlPlaneOption();
        var command = new Command("analyze", "Find misconfigurations (code, resource, fix); exit code 1 when an error is found")
        {
            dir, live, format, controlPlane,
        };
        command.Validators.Add(result =>
        {
            var hasDir = !string.IsNullOrEmpty(result.GetValue(dir));
            if (hasDir == result.GetValue(live))
            {
                result.AddError("meshctl analyze: give either a manifest DIR or --live");
            }
        });
        command.SetAction(async (parse, _) =>
        {
            var analyze = new AnalyzeCommand(Console.Out, Console.Error);
            var json = parse.GetValue(format) == "json";
            if (!parse.GetValue(live))
            {
                return await analyze.RunOfflineAsync(parse.GetValue(dir)!, json).ConfigureAwait(false);
            }

            using var http = NewHttpClient();
            return await analyze.RunLiveAsync(http, Locate(parse.GetValue(controlPlane)), json, shutdown.Token).ConfigureAwait(false);
        });
        return command;
    }

    public static Command Explain(ShutdownSignal shutdown)
    {
        var errorCode = new Option<string?>("--error") { Description = "The x-meshnet-error value of the response (overloaded, no-route, ...)" };
        var service = new Option<string?>("--service") { Description = "The Service called, NAME.NAMESPACE (with --error)" };
        var source = new Option<string?>("--source") { Description = "The calling workload, NAMESPACE/NAME (with --url)" };
        var url = new Option<string?>("--url") { Description = "The URL the workload called, e.g. http://posts.blog/api/posts" };
        var method = new Option<string>("--method") { Description = "HTTP method of the request", DefaultValueFactory = _ => "GET" };
        var id = new Option<string?>("--id")
        {
            Description = "The x-request-id (or the trace id) of a failed response: the sidecars' records of that request are explained",
        };
        var format = new Option<string?>("--output", "-o") { Description = "Output format: json" };
        format.AcceptOnlyFromAmong("json");
        var controlPlane = ControlPlaneOption();
        var command = new Command(
            "explain",
            "Say which config object produces a response: by its x-request-id or trace id, by x-meshnet-error and Service, or by source workload and URL; exit 1 when no sidecar remembers the id")
        {
            id, errorCode, service, source, url, method, format, controlPlane,
        };
        command.Validators.Add(result =>
        {
            var byId = result.GetValue(id) is not null;
            var byError = result.GetValue(errorCode) is not null || result.GetValue(service) is not null;
            var byUrl = result.GetValue(source) is not null || result.GetValue(url) is not null;
            var forms = (byId ? 1 : 0) + (byError ? 1 : 0) + (byUrl ? 1 : 0);
            if (forms != 1 || (byError && result.GetValue(service) is null) || (byUrl && result.GetValue(url) is null))
            {
                result.AddError("meshctl explain: give one of --id ID, --error CODE --service NAME.NS, or --source NS/WORKLOAD --url URL");
            }
            else if (byId && string.IsNullOrWhiteSpace(result.GetValue(id)))
            {
                result.AddError("meshctl explain: --id needs an x-request-id or a trace id");
            }
        });
        command.SetAction(async (parse, _) =>
        {
            using var http = NewHttpClient();
            var query = new ExplainQuery(
                parse.GetValue(errorCode), parse.GetValue(service), parse.GetValue(source), parse.GetValue(url), parse.GetValue(method)!, parse.GetValue(id));
            return await new ExplainCommand(http, Locate(parse.GetValue(controlPlane)), Console.Out, Console.Error)
                .RunAsync(query, parse.GetValue(format) == "json", shutdown.Token).ConfigureAwait(false);
        });
        return command;
    }

    private static HttpClient NewHttpClient() =>
        new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };

    private static Uri Locate(Uri? flag) =>
        ControlPlaneLocator.Resolve(flag, Environment.GetEnvironmentVariable(ControlPlaneLocator.EnvironmentVariable), Local.Netns.NetnsOptions.DefaultStateFile);

    private static Option<Uri?> ControlPlaneOption() => new("--control-plane")
    {
        Description = $"Control plane admin URL (default: ${ControlPlaneLocator.EnvironmentVariable}, the running `up`, or {ControlPlaneLocator.Default})",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
            if (Uri.TryCreate(text, UriKind.Absolute, out var parsed) && (parsed.Scheme == Uri.UriSchemeHttp || parsed.Scheme == Uri.UriSchemeHttps))
            {
                return parsed;
            }

            result.AddError($"--control-plane '{text}' is not an http(s) URL (e.g. http://127.0.0.1:15014)");
            return null;
        },
    };
}
