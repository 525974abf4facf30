using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using MeshNet.Cli.Local;

namespace MeshNet.Cli.Commands;

/// <summary>
/// `meshctl stat [-n NS | -A] [svc/NAME] [--window 30s] [--once] [-o json]`: golden metrics per Service from the
/// control plane's GET /debug/stat. On a terminal the table is redrawn in place every 2 s until Ctrl-C; piped, each
/// refresh is printed as plain text; `--once` and `-o json` print once, for scripts.
/// </summary>
internal sealed class StatCommand(HttpClient http, Uri controlPlane, TextWriter output, TextWriter error, TimeProvider time)
{

    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(2);

    // Cursor home, then clear the screen: the redraw replaces the previous table instead of scrolling.
    private const string ClearScreen = "\u001b[H\u001b[2J";

    public static Command Build(ShutdownSignal shutdown)
    {
        var ns = new Option<string>("--namespace", "-n") { Description = "Namespace to show", DefaultValueFactory = _ => "default" };
        var all = new Option<bool>("--all-namespaces", "-A") { Description = "Show every namespace" };
        var resource = new Argument<string?>("RESOURCE") { Description = "svc/NAME: only this Service", Arity = ArgumentArity.ZeroOrOne };
        resource.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } text && ServiceName(text) is null)
            {
                result.AddError($"'{text}' is not svc/NAME (e.g. svc/posts)");
            }
        });
        var window = new Option<string>("--window", "-w") { Description = "Time window the metrics cover (e.g. 10s, 30s, 5m)", DefaultValueFactory = _ => "30s" };
        window.Validators.Add(result =>
        {
            var text = result.GetValueOrDefault<string>() ?? string.Empty;
            if (!Durations.TryParse(text, out _))
            {
                result.AddError($"--window '{text}' is not a duration (examples: 10s, 30s, 5m)");
            }
        });
        var once = new Option<bool>("--once") { Description = "Print the table once instead of refreshing it every 2 s" };
        var format = new Option<string?>("--output", "-o") { Description = "Output format: json (implies --once)" };
        format.AcceptOnlyFromAmong("json");
        var controlPlane = new Option<string?>("--control-plane")
        {
            Description = $"Control plane admin URL (default: ${ControlPlaneLocator.EnvironmentVariable}, the running `up`, or {ControlPlaneLocator.Default})",
        };
        var command = new Command("stat", "Golden metrics per Service (success rate, RPS, latency percentiles, mTLS share) from the sidecars' metrics")
        {
            resource, ns, all, window, once, format, controlPlane,
        };
        command.SetAction(async (parse, _) =>
        {
            Uri? flag = null;
            if (parse.GetValue(controlPlane) is { } text &&
                !(Uri.TryCreate(text, UriKind.Absolute, out flag) && (flag.Scheme == Uri.UriSchemeHttp || flag.Scheme == Uri.UriSchemeHttps)))
            {
                await Console.Error.WriteLineAsync($"meshctl stat: --control-plane '{text}' is not an http(s) URL (e.g. http://127.0.0.1:15014)").ConfigureAwait(false);
                return ExitCodes.CouldNotRun;
            }

            var url = ControlPlaneLocator.Resolve(flag, Environment.GetEnvironmentVariable(ControlPlaneLocator.EnvironmentVariable), Local.Netns.NetnsOptions.DefaultStateFile);
            using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
            var json = parse.GetValue(format) == "json";
            var request = new StatRequest(
                parse.GetValue(all) ? null : parse.GetValue(ns)!,
                parse.GetValue(resource) is { } name ? ServiceName(name) : null,
                parse.GetValue(window)!,
                json);
            var mode = json || parse.GetValue(once) ? StatRefresh.Once : Console.IsOutputRedirected ? StatRefresh.Append : StatRefresh.InPlace;
            return await new StatCommand(client, url, Console.Out, Console.Error, TimeProvider.System).RunAsync(request, mode, shutdown.Token).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>"svc/posts", "service/posts", "services/posts" → "posts"; null for anything else.</summary>
    public static string? ServiceName(string resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var slash = resource.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && resource[..slash] is "svc" or "service" or "services" && resource[(slash + 1)..] is { Length: > 0 } name && !name.Contains('/', StringComparison.Ordinal)
            ? name
            : null;
    }

    public async Task<int> RunAsync(StatRequest request, StatRefresh refresh, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            while (true)
            {
                var code = await PrintOnceAsync(request, refresh, cancellationToken).ConfigureAwait(false);
                if (code != ExitCodes.Ok || refresh == StatRefresh.Once)
                {
                    return code;
                }

                await Task.Delay(RefreshInterval, time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && refresh != StatRefresh.Once)
        {
            // Ctrl-C is how a live view ends.
            return ExitCodes.Ok;
        }
    }

    private async Task<int> PrintOnceAsync(StatRequest request, StatRefresh refresh, CancellationToken cancellationToken)
    {
        List<StatRow> rows;
        try
        {
            using var response = await http.GetAsync(request.Url(controlPlane), cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                await error.WriteLineAsync($"meshctl stat: the control plane at {controlPlane} refused: {body.Trim()} (HTTP {(int)response.StatusCode})").ConfigureAwait(false);
                return ExitCodes.CouldNotRun;
            }

            rows = await response.Content.ReadFromJsonAsync(StatJsonContext.Default.ListStatRow, cancellationToken).ConfigureAwait(false) ?? [];
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync(
                $"meshctl stat: cannot read stats from the control plane at {controlPlane} ({e.Message}); is `meshctl up` running? (--control-plane URL or {ControlPlaneLocator.EnvironmentVariable})")
                .ConfigureAwait(false);
            return ExitCodes.CouldNotRun;
        }

        if (request.Json)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(rows, StatJsonContext.Default.ListStatRow)).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        var text = rows.Count == 0
            ? (request.Namespace is null ? "No resources found\n" : $"No resources found in {request.Namespace} namespace.\n")
            : StatTable.Format(rows, allNamespaces: request.Namespace is null);
        switch (refresh)
        {
            case StatRefresh.InPlace:
                await output.WriteAsync(ClearScreen + text + $"\n(window {request.Window}, refreshing every {RefreshInterval.TotalSeconds:0} s; Ctrl-C to stop)\n").ConfigureAwait(false);
                break;
            case StatRefresh.Append:
                await output.WriteAsync(text + "\n").ConfigureAwait(false);
                break;
            default:
                await (rows.Count == 0 ? error : output).WriteAsync(text).ConfigureAwait(false);
                break;
        }

        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}

/// <summary>What to ask GET /debug/stat for.</summary>
/// <param name="Namespace">Null: every namespace (-A).</param>
/// <param name="Service">Null: every Service of the namespace.</param>
internal sealed record StatRequest(string? Namespace, string? Service, string Window, bool Json)
{
    public Uri Url(Uri controlPlane)
    {
        var query = new List<string> { "window=" + Uri.EscapeDataString(Window) };
        if (Namespace is not null)
        {
            query.Add("namespace=" + Uri.EscapeDataString(Namespace));
        }

        if (Service is not null)
        {
            query.Add("service=" + Uri.EscapeDataString(Service));
        }

        return new Uri(controlPlane, "/debug/stat?" + string.Join('&', query));
    }
}

internal enum StatRefresh
{
    /// <summary>One table (or JSON document), then exit.</summary>
    Once,

    /// <summary>A terminal: redraw in place every refresh.</summary>
    InPlace,

    /// <summary>Piped: each refresh printed after the previous one, without control characters.</summary>
    Append,
}
