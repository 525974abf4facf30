using System.CommandLine;
using MeshNet.Cli.Install;
using MeshNet.Kubernetes.Injection;

namespace MeshNet.Cli.Commands;

/// <summary>
/// `meshctl install [-n NS] [--values FILE] [--set k=v]... [--skip-crds]`: the chart's manifests (CRDs first) on
/// stdout, for `| kubectl apply -f -`; what must exist beforehand (the CA Secret) goes to stderr.
/// </summary>
internal sealed class InstallCommand(TextWriter output, TextWriter error)
{
    public const int ExitOk = 0;
    public const int ExitBadValues = 2;

    /// <param name="output">Where the manifests go; the console unless a test captures them.</param>
    public static Command Build(TextWriter? output = null, TextWriter? error = null)
    {
        var ns = new Option<string>("--namespace", "-n") { Description = "Namespace of the control plane", DefaultValueFactory = _ => InstallValues.Default.Namespace };
        var valuesFiles = new Option<FileInfo[]>("--values", "-f") { Description = "Values file, as the chart's values.yaml (repeatable; later wins)" };
        var sets = new Option<string[]>("--set") { Description = "key=value, as Helm's --set (repeatable; wins over --values)" };
        var skipCrds = new Option<bool>("--skip-crds") { Description = "Leave out the CustomResourceDefinitions" };
        var command = new Command("install", "Print the manifests that install MeshNet in a cluster (the Helm chart's, rendered)") { ns, valuesFiles, sets, skipCrds };
        command.SetAction(parse => new InstallCommand(output ?? Console.Out, error ?? Console.Error).Run(
            parse.GetValue(ns)!, parse.GetValue(valuesFiles) ?? [], parse.GetValue(sets) ?? [], parse.GetValue(skipCrds)));
        return command;
    }

    public int Run(string ns, IReadOnlyList<FileInfo> valuesFiles, IReadOnlyList<string> sets, bool skipCrds)
    {
        InstallValues values;
        try
        {
            values = InstallValues.Default with { Namespace = ns };
            foreach (var file in valuesFiles)
            {
                values = values.Apply(File.ReadAllText(file.FullName));
            }

            foreach (var pair in sets)
            {
                values = values.SetPair(pair);
            }
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"meshctl install: {e.Message}");
            return ExitBadValues;
        }

        var documents = new List<string>();
        if (!skipCrds)
        {
            documents.AddRange(CrdManifests.All().Select(c => c.TrimStart('-', '\n').TrimEnd() + "\n"));
        }

        documents.AddRange(InstallManifests.Render(values).Select(ManifestYamlWriter.Write));
        output.Write(string.Join("---\n", documents));
        error.WriteLine(
            $"meshctl install: the control plane reads its CA from the kubernetes.io/tls Secret {values.Namespace}/{values.CaSecret}; " +
            $"create it before the pods start: kubectl -n {values.Namespace} create secret tls {values.CaSecret} --cert ca.crt --key ca.key");
        return ExitOk;
    }
}
