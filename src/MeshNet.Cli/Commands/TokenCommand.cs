using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using MeshNet.Cli.Local;

namespace MeshNet.Cli.Commands;

/// <summary>
/// `meshctl token create -n NS --service-account SA [--ttl 24h]`: asks the control plane's admin API for a join token
/// and prints it alone on stdout (so `TOKEN=$(meshctl token create ...)` works); what it is for goes to stderr.
/// </summary>
internal sealed class TokenCommand(HttpClient http, Uri controlPlane, TextWriter output, TextWriter error)
{

    public static Command Build(ShutdownSignal shutdown)
    {
        var ns = new Option<string>("--namespace", "-n") { Description = "Namespace of the workload", DefaultValueFactory = _ => "default" };
        var serviceAccount = new Option<string>("--service-account") { Description = "Service account the workload runs as", Required = true };
        var ttl = new Option<string>("--ttl") { Description = "How long the token stays valid (e.g. 1h, 24h)", DefaultValueFactory = _ => "24h" };
        ttl.Validators.Add(result =>
        {
            var text = result.GetValueOrDefault<string>() ?? string.Empty;
            if (!Durations.TryParse(text, out _))
            {
                result.AddError($"--ttl '{text}' is not a duration (examples: 30m, 24h)");
            }
        });
        var controlPlane = new Option<string?>("--control-plane")
        {
            Description = $"Control plane admin URL (default: ${ControlPlaneLocator.EnvironmentVariable}, the running `up`, or {ControlPlaneLocator.Default})",
        };
        var create = new Command("create", "Issue a join token bound to a namespace and service account; it is shown once") { ns, serviceAccount, ttl, controlPlane };
        create.SetAction(async (parse, _) =>
        {
            Uri? flag = null;
            if (parse.GetValue(controlPlane) is { } text &&
                !(Uri.TryCreate(text, UriKind.Absolute, out flag) && (flag.Scheme == Uri.UriSchemeHttp || flag.Scheme == Uri.UriSchemeHttps)))
            {
                await Console.Error.WriteLineAsync($"meshctl token create: --control-plane '{text}' is not an http(s) URL (e.g. http://127.0.0.1:15014)").ConfigureAwait(false);
                return ExitCodes.CouldNotRun;
            }

            var url = ControlPlaneLocator.Resolve(flag, Environment.GetEnvironmentVariable(ControlPlaneLocator.EnvironmentVariable), Local.Netns.NetnsOptions.DefaultStateFile);
            using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
            return await new TokenCommand(client, url, Console.Out, Console.Error)
                .CreateAsync(parse.GetValue(ns)!, parse.GetValue(serviceAccount)!, parse.GetValue(ttl)!, shutdown.Token).ConfigureAwait(false);
        });
        return new Command("token", "Join tokens: how a sidecar in universal mode proves its identity to the control plane's CA") { create };
    }

    public async Task<int> CreateAsync(string ns, string serviceAccount, string ttl, CancellationToken cancellationToken)
    {
        JsonObject? body;
        try
        {
            using var response = await http.PostAsJsonAsync(
                new Uri(controlPlane, "/identity/tokens"),
                new JsonObject { ["namespace"] = ns, ["serviceAccount"] = serviceAccount, ["ttl"] = ttl },
                cancellationToken).ConfigureAwait(false);
            body = await ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var reason = (string?)body?["error"] ?? $"HTTP {(int)response.StatusCode}";
                await error.WriteLineAsync($"meshctl token create: the control plane at {controlPlane} refused: {reason}").ConfigureAwait(false);
                return ExitCodes.Failed;
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync(
                $"meshctl token create: cannot reach the control plane at {controlPlane} ({e.Message}); is it running? (--control-plane URL or {ControlPlaneLocator.EnvironmentVariable})")
                .ConfigureAwait(false);
            return ExitCodes.CouldNotRun;
        }

        if ((string?)body?["token"] is not { Length: > 0 } token)
        {
            await error.WriteLineAsync($"meshctl token create: the control plane at {controlPlane} answered without a token").ConfigureAwait(false);
            return ExitCodes.Failed;
        }

        await output.WriteLineAsync(token).ConfigureAwait(false);
        await error.WriteLineAsync($"join token for {(string?)body["identity"]}, expires {(string?)body["expiresAt"]}; it is not shown again").ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    private static async Task<JsonObject?> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            return null;
        }
    }
}
