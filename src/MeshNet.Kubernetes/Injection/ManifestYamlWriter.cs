using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MeshNet.Kubernetes.Injection;

/// <summary>
/// JSON → block-style YAML, the way kubectl prints manifests: keys in the object's order, two-space indents, a string
/// quoted (JSON-style, which YAML double quotes accept) only when plain would read as something else — a number, a
/// boolean, null, or YAML syntax. Deterministic, so rendered manifests can be golden files.
/// </summary>
public static partial class ManifestYamlWriter
{
    public static string Write(JsonNode? node)
    {
        var text = new StringBuilder();
        WriteValue(text, node, indent: 0, inSequence: false);
        return text.ToString();
    }

    /// <summary>Documents separated by "---" lines.</summary>
    public static string WriteDocuments(IEnumerable<JsonNode> documents) =>
        string.Join("---\n", documents.Select(Write));

    private static void WriteValue(StringBuilder text, JsonNode? node, int indent, bool inSequence)
    {
        switch (node)
        {
            case JsonObject { Count: > 0 } map:
                var first = true;
                foreach (var (key, value) in map)
                {
                    if (!(first && inSequence))
                    {
                        text.Append(' ', indent);
                    }

                    first = false;
                    text.Append(Scalar(key)).Append(':');
                    WriteNested(text, value, indent);
                }

                break;
            case JsonArray { Count: > 0 } list:
                var firstItem = true;
                foreach (var item in list)
                {
                    if (!(firstItem && inSequence))
                    {
                        text.Append(' ', indent);
                    }

                    firstItem = false;
                    text.Append("- ");
                    if (item is JsonObject { Count: > 0 } or JsonArray { Count: > 0 })
                    {
                        WriteValue(text, item, indent + 2, inSequence: true);
                    }
                    else
                    {
                        text.Append(Inline(item)).Append('\n');
                    }
                }

                break;
            default:
                text.Append(Inline(node)).Append('\n');
                break;
        }
    }

    private static void WriteNested(StringBuilder text, JsonNode? value, int indent)
    {
        if (value is JsonObject { Count: > 0 } or JsonArray { Count: > 0 })
        {
            text.Append('\n');
            WriteValue(text, value, indent + 2, inSequence: false);
        }
        else
        {
            text.Append(' ').Append(Inline(value)).Append('\n');
        }
    }

    private static string Inline(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "{}",
        JsonArray => "[]",
        JsonValue value when value.GetValueKind() == JsonValueKind.String => Scalar(value.GetValue<string>()),
        _ => node.ToJsonString(),
    };

    /// <summary>Plain when that reads back as the same string under YAML 1.1 and 1.2; else JSON-quoted.</summary>
    internal static string Scalar(string value) => NeedsQuotes(value) ? JsonSerializer.Serialize(value) : value;

    private static bool NeedsQuotes(string value) =>
        value.Length == 0
        || value != value.Trim()
        || value.Contains(": ", StringComparison.Ordinal) || value.Contains(" #", StringComparison.Ordinal) || value.EndsWith(':')
        || value.Any(c => char.IsControl(c) || c > '~')
        || ",[]{}#&*!|>'\"%@`".Contains(value[0], StringComparison.Ordinal)
        || ("-?:".Contains(value[0], StringComparison.Ordinal) && (value.Length == 1 || value[1] == ' ' || value.StartsWith("---", StringComparison.Ordinal)))
        || Special().IsMatch(value)
        || double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
        || NumberLike().IsMatch(value);

    [GeneratedRegex("^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~|\\.inf|\\.Inf|\\.INF|-\\.inf|\\.nan|\\.NaN|\\.NAN|<<|=)$", RegexOptions.CultureInvariant)]
    private static partial Regex Special();

    /// <summary>Octal, hex, binary, sexagesimal and underscore-separated numbers of YAML 1.1.</summary>
    [GeneratedRegex("^[-+]?(0[xob][0-9a-fA-F_]+|0[0-7_]+|[0-9][0-9_]*(:[0-5]?[0-9])+(\\.[0-9_]*)?|[0-9][0-9_]*_[0-9_]*(\\.[0-9_]*)?)$", RegexOptions.CultureInvariant)]
    private static partial Regex NumberLike();
}
