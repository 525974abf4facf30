using System.Text.Json;
using System.Text.Json.Nodes;

namespace MeshNet.Cli.Output;

/// <summary>What every `meshctl get` shares: -o json|yaml of the admin API's entries, and kubectl's "No resources found".</summary>
internal static class ResourceOutput
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Writes <paramref name="entries"/> when <paramref name="format"/> is json or yaml; false for a table format.</summary>
    public static async Task<bool> WriteStructuredAsync(TextWriter output, JsonNode entries, string? format)
    {
        switch (format)
        {
            case "json":
                await output.WriteLineAsync(entries.ToJsonString(Indented)).ConfigureAwait(false);
                return true;
            case "yaml":
                await output.WriteAsync(Yaml.From(entries)).ConfigureAwait(false);
                return true;
            default:
                return false;
        }
    }

    public static string NoneFound(string ns, bool allNamespaces) => allNamespaces ? "No resources found" : $"No resources found in {ns} namespace.";
}
