using System.CommandLine;
using MeshNet.Kubernetes.Injection;
using YamlDotNet.Core;

namespace MeshNet.Cli.Commands;

/// <summary>
/// `meshctl inject -f FILE|-`: the webhook's injection done offline on a manifest stream (like `linkerd inject`):
/// injected YAML on stdout, one line per document on stderr.
/// </summary>
internal sealed class InjectCommand(TextReader input, TextWriter output, TextWriter error)
{

    /// <param name="input">Stdin for "-f -"; the console unless a test supplies it. Likewise the writers.</param>
    public static Command Build(TextReader? input = null, TextWriter? output = null, TextWriter? error = null)
    {
        var stdout = output ?? Console.Out;
        var stderr = error ?? Console.Error;
        var file = new Option<string>("--filename", "-f") { Description = "Manifest file, or - for stdin", Required = true };
        var proxyImage = new Option<string?>("--proxy-image") { Description = $"Sidecar image (default {InjectionSettings.Default.ProxyImage})" };
        var initImage = new Option<string?>("--proxy-init-image") { Description = $"Init container image (default {InjectionSettings.Default.InitImage})" };
        var controlPlane = new Option<string?>("--control-plane") { Description = $"Control plane URL sidecars dial (default {InjectionSettings.Default.ControlPlane})" };
        var controlPlaneCa = new Option<FileInfo?>("--control-plane-ca") { Description = "PEM roots the control plane's certificate chains to (the webhook fills this in itself)" };
        var trustDomain = new Option<string?>("--trust-domain") { Description = "SPIFFE trust domain (default cluster.local)" };
        var command = new Command("inject", "Add the MeshNet sidecar to the pods and pod templates of a manifest, offline")
        {
            file, proxyImage, initImage, controlPlane, controlPlaneCa, trustDomain,
        };
        command.SetAction(parse =>
        {
            var settings = InjectionSettings.Default;
            if (parse.GetValue(proxyImage) is { } proxy)
            {
                settings = settings with { ProxyImage = proxy };
            }

            if (parse.GetValue(initImage) is { } init)
            {
                settings = settings with { InitImage = init };
            }

            if (parse.GetValue(trustDomain) is { } domain)
            {
                settings = settings with { TrustDomain = domain };
            }

            if (parse.GetValue(controlPlane) is { } url)
            {
                if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                {
                    stderr.WriteLine($"meshctl inject: --control-plane '{url}' is not an http(s) URL");
                    return ExitCodes.CouldNotRun;
                }

                settings = settings with { ControlPlane = uri };
            }

            try
            {
                if (parse.GetValue(controlPlaneCa) is { } ca)
                {
                    settings = settings with { ControlPlaneCa = File.ReadAllText(ca.FullName) };
                }

                var path = parse.GetValue(file)!;
                using var reader = path == "-" ? null : new StreamReader(path);
                return new InjectCommand(reader ?? input ?? Console.In, stdout, stderr).Run(settings, path == "-" ? "stdin" : path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"meshctl inject: {e.Message}");
                return ExitCodes.CouldNotRun;
            }
        });
        return command;
    }

    public int Run(InjectionSettings settings, string source)
    {
        string result;
        IReadOnlyList<InjectedDocument> report;
        try
        {
            (result, report) = ManifestInjector.Inject(input.ReadToEnd(), settings);
        }
        catch (YamlException e)
        {
            error.WriteLine($"meshctl inject: {source}: {e.Message}");
            return ExitCodes.CouldNotRun;
        }

        output.Write(result);
        foreach (var document in report)
        {
            error.WriteLine(document.Outcome switch
            {
                InjectionOutcome.Injected => $"{document.Resource} injected",
                InjectionOutcome.Rejected => $"{document.Resource} not injected: error: {document.Reason}",
                InjectionOutcome.Skipped => $"{document.Resource} skipped: {document.Reason}",
                _ => $"{document.Resource} unchanged",
            });
        }

        return report.Any(d => d.Outcome == InjectionOutcome.Rejected) ? ExitCodes.Failed : ExitCodes.Ok;
    }
}
