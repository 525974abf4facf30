using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using MeshNet.Cli.Local;
using MeshNet.Cli.Output;

namespace MeshNet.Cli.Commands;

/// <summary>meshctl's command tree (System.CommandLine); each action hands over to one command class.</summary>
internal static class CommandLine
{
    public static RootCommand Build(ShutdownSignal shutdown)
    {
        var root = new RootCommand("meshctl: run and inspect MeshNet meshes");
        root.Subcommands.Add(Demo(shutdown));
        root.Subcommands.Add(Up(shutdown));
        root.Subcommands.Add(Down());
        root.Subcommands.Add(Get(shutdown));
        root.Subcommands.Add(Describe(shutdown));
        root.Subcommands.Add(TokenCommand.Build(shutdown));
        root.Subcommands.Add(InjectCommand.Build());
        root.Subcommands.Add(InstallCommand.Build());
        root.Subcommands.Add(StatCommand.Build(shutdown));
        root.Subcommands.Add(DiagnoseCommands.Analyze(shutdown));
        root.Subcommands.Add(DiagnoseCommands.Explain(shutdown));
        root.Subcommands.Add(ProxyCommands.Status(shutdown));
        root.Subcommands.Add(ProxyCommands.Config(shutdown));
        root.Subcommands.Add(CompletionCommand.Build());
        return root;
    }

    private static Command Demo(ShutdownSignal shutdown)
    {
        var duration = new Option<TimeSpan>("--duration")
        {
            Description = "How long to send traffic (e.g. 20s, 1m)",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(20),
            CustomParser = ParseDuration,
        };
        var warmUp = new Option<TimeSpan>("--warm-up")
        {
            Description = "Traffic sent before the measured window, not counted (0s = none)",
            DefaultValueFactory = _ => DemoOptions.DefaultWarmUp,
            CustomParser = result => result.Tokens is [{ Value: "0" or "0s" or "0ms" }] ? TimeSpan.Zero : ParseDuration(result),
        };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON" };
        var rps = new Option<int>("--rps") { Description = "Requests per second in total; 0 = as fast as possible", DefaultValueFactory = _ => 50 };
        var concurrency = new Option<int>("--concurrency") { Description = "Requests in flight at once", DefaultValueFactory = _ => 8 };
        var dir = new Option<DirectoryInfo?>("--dir") { Description = "Manifest directory (default: samples/blog of this checkout)" };
        var verbose = VerboseOption();
        var podNetwork = PodNetworkOption();
        var netns = new NetnsOptionSet();
        var command = new Command("demo", "Run the blog sample locally, send it traffic and report who answered")
        {
            duration, warmUp, json, rps, concurrency, dir, verbose, podNetwork,
        };
        netns.AddTo(command);
        rps.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
            {
                result.AddError("--rps must be 0 (unlimited) or more");
            }
        });
        concurrency.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--concurrency must be at least 1");
            }
        });
        command.SetAction(async (parse, _) =>
        {
            var directory = parse.GetValue(dir)?.FullName ?? DefaultSampleDirectory();
            if (directory is null)
            {
                await Console.Error.WriteLineAsync("meshctl demo: samples/blog not found (not in a MeshNet checkout); pass --dir").ConfigureAwait(false);
                return ExitCodes.CouldNotRun;
            }

            var mode = netns.Resolve(parse, Console.Error, "demo");
            if (mode is { Error: { } error })
            {
                await Console.Error.WriteLineAsync(error).ConfigureAwait(false);
                return ExitCodes.CouldNotRun;
            }

            var options = new DemoOptions(
                directory, parse.GetValue(duration), parse.GetValue(rps), parse.GetValue(concurrency), parse.GetValue(json), parse.GetValue(verbose), parse.GetValue(podNetwork)!, mode.Options, parse.GetValue(warmUp));
            return await RunAsync(() => new DemoCommand(options, Console.Out, Console.Error, WaitIndicator.IsTerminal(), TimeProvider.System)
                .RunAsync(shutdown.Token)).ConfigureAwait(false);
        });
        return command;
    }

    private static Command Up(ShutdownSignal shutdown)
    {
        var dir = new Argument<DirectoryInfo>("DIR") { Description = "Manifest directory (Kubernetes YAML)" };
        var verbose = VerboseOption();
        var podNetwork = PodNetworkOption();
        var netns = new NetnsOptionSet();
        var command = new Command("up", "Run a manifest directory in universal mode until Ctrl-C (as root: a network namespace per pod)")
        {
            dir, verbose, podNetwork,
        };
        netns.AddTo(command);
        command.SetAction(async (parse, _) =>
        {
            var options = netns.Resolve(parse, Console.Out, "up");
            if (options is { Error: { } error })
            {
                await Console.Error.WriteLineAsync(error).ConfigureAwait(false);
                return ExitCodes.CouldNotRun;
            }

            return await RunAsync(() => new UpCommand(parse.GetValue(dir)!.FullName, parse.GetValue(podNetwork)!, parse.GetValue(verbose), Console.Out, TimeProvider.System, options.Options, Console.Error, WaitIndicator.IsTerminal())
                .RunAsync(shutdown.Token)).ConfigureAwait(false);
        });
        return command;
    }

    private static Command Down()
    {
        var stateFile = new Option<string>("--state-file")
        {
            Description = "State file of the `up` to undo",
            DefaultValueFactory = _ => Local.Netns.NetnsOptions.DefaultStateFile,
        };
        var command = new Command("down", "Stop a netns-mode `meshctl up` and remove its namespaces, links, rules, files and processes") { stateFile };
        command.SetAction((parse, _) => new DownCommand(parse.GetValue(stateFile)!, Console.Out, Console.Error, WaitIndicator.IsTerminal(), TimeProvider.System).RunAsync());
        return command;
    }

    private static Command Get(ShutdownSignal shutdown)
    {
        var ns = new Option<string>("--namespace", "-n") { Description = "Namespace to list", DefaultValueFactory = _ => "default" };
        var all = new Option<bool>("--all-namespaces", "-A") { Description = "List every namespace" };
        var format = new Option<string?>("--output", "-o") { Description = "Output format: wide, json or yaml" };
        format.AcceptOnlyFromAmong("wide", "json", "yaml");
        var controlPlane = ControlPlaneOption();
        var services = new Command("svc", "List Services: type, cluster IP, external IP, ports, ready/total endpoints") { ns, all, format, controlPlane };
        services.Aliases.Add("services");
        services.Aliases.Add("service");
        services.SetAction(async (parse, _) =>
        {
            var url = ControlPlaneLocator.Resolve(
                parse.GetValue(controlPlane), Environment.GetEnvironmentVariable(ControlPlaneLocator.EnvironmentVariable), Local.Netns.NetnsOptions.DefaultStateFile);
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
            return await new GetServicesCommand(http, url, Console.Out, Console.Error)
                .RunAsync(parse.GetValue(ns)!, parse.GetValue(all), parse.GetValue(format), shutdown.Token).ConfigureAwait(false);
        });
        var endpoints = GetResources("endpoints", "List each Service's ready endpoints (address:targetPort) and how many are not ready", ns, all, format, controlPlane, shutdown);
        endpoints.Aliases.Add("ep");
        var policies = GetResources("policies", "List TrafficPolicies and TrafficRoutes: target, accepted, the error when rejected", ns, all, format, controlPlane, shutdown);
        policies.Aliases.Add("policy");
        var workloads = new Command("workloads", "List workloads (Pods and sidecars): owner, address, ready, meshed; wide adds identity and labels") { ns, all, format, controlPlane };
        workloads.Aliases.Add("wl");
        workloads.SetAction(async (parse, _) =>
        {
            using var http = AdminClient();
            return await new GetWorkloadsCommand(new AdminReader(http, AdminUrl(parse, controlPlane), Console.Error), Console.Out, Console.Error)
                .RunAsync(parse.GetValue(ns)!, parse.GetValue(all), parse.GetValue(format), shutdown.Token).ConfigureAwait(false);
        });
        return new Command("get", "Show resources of the running mesh (from the control plane's admin API)") { services, endpoints, policies, workloads };
    }

    private static Command Describe(ShutdownSignal shutdown)
    {
        var name = new Argument<string>("name") { Description = "The Service's name" };
        var ns = new Option<string>("--namespace", "-n") { Description = "The Service's namespace", DefaultValueFactory = _ => "default" };
        var controlPlane = ControlPlaneOption();
        var service = new Command("svc", "Describe a Service: ports, endpoints with readiness, policies, routes, mTLS and who may call it") { name, ns, controlPlane };
        service.Aliases.Add("service");
        service.Aliases.Add("services");
        service.SetAction(async (parse, _) =>
        {
            using var http = AdminClient();
            return await new DescribeServiceCommand(new AdminReader(http, AdminUrl(parse, controlPlane), Console.Error), Console.Out)
                .RunAsync(parse.GetValue(name)!, parse.GetValue(ns)!, shutdown.Token).ConfigureAwait(false);
        });
        return new Command("describe", "Show one resource of the running mesh in detail") { service };
    }

    private static Option<Uri?> ControlPlaneOption() =>
        new Option<Uri?>("--control-plane")
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

    private static HttpClient AdminClient() => new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };

    private static Uri AdminUrl(ParseResult parse, Option<Uri?> controlPlane) => ControlPlaneLocator.Resolve(
        parse.GetValue(controlPlane), Environment.GetEnvironmentVariable(ControlPlaneLocator.EnvironmentVariable), Local.Netns.NetnsOptions.DefaultStateFile);

    private static Command GetResources(
        string kind, string description, Option<string> ns, Option<bool> all, Option<string?> format, Option<Uri?> controlPlane, ShutdownSignal shutdown)
    {
        var command = new Command(kind, description) { ns, all, format, controlPlane };
        command.SetAction(async (parse, _) =>
        {
            var url = ControlPlaneLocator.Resolve(
                parse.GetValue(controlPlane), Environment.GetEnvironmentVariable(ControlPlaneLocator.EnvironmentVariable), Local.Netns.NetnsOptions.DefaultStateFile);
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
            return await new GetResourcesCommand(new AdminReader(http, url, Console.Error), Console.Out, Console.Error)
                .RunAsync(kind, parse.GetValue(ns)!, parse.GetValue(all), parse.GetValue(format), shutdown.Token).ConfigureAwait(false);
        });
        return command;
    }

    private static Option<bool> VerboseOption() =>
        new("--verbose", "-v") { Description = "Also echo every process's output (prefixed by pod) to stderr" };

    private static Option<IPAddress> PodNetworkOption() =>
        new("--pod-network")
        {
            Description = "First loopback network for pod IPs (pods get .1, .2, ...)",
            DefaultValueFactory = _ => PodAddressPool.DefaultNetwork,
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
                if (IPAddress.TryParse(text, out var address) && address.AddressFamily == AddressFamily.InterNetwork && address.GetAddressBytes()[0] == 127)
                {
                    return address;
                }

                result.AddError($"--pod-network '{text}' is not an address in 127.0.0.0/8 (e.g. 127.0.1.0)");
                return null;
            },
        };

    /// <summary>Manifest problems are the user's to fix: one clear line, no stack trace.</summary>
    private static async Task<int> RunAsync(Func<Task<int>> command)
    {
        try
        {
            return await command().ConfigureAwait(false);
        }
        catch (ManifestException e)
        {
            await Console.Error.WriteLineAsync($"meshctl: {e.Message}").ConfigureAwait(false);
            return ExitCodes.CouldNotRun;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("meshctl: interrupted; stopped every process").ConfigureAwait(false);
            return ExitCodes.Interrupted;
        }
    }

    private static string? DefaultSampleDirectory() =>
        RepositoryLayout.BlogSample(RepositoryLayout.FindRoot(AppContext.BaseDirectory) ?? RepositoryLayout.FindRoot(Environment.CurrentDirectory));

    private static TimeSpan ParseDuration(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (Durations.TryParse(text, out var value))
        {
            return value;
        }

        result.AddError($"'{text}' is not a duration (examples: 500ms, 20s, 2m)");
        return default;
    }
}
