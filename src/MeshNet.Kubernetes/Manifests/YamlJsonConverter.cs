using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MeshNet.Kubernetes.Manifests;

/// <summary>
/// Turns one YAML document into JSON, resolving plain scalars with the YAML 1.2 core schema (what Kubernetes'
/// YAML-to-JSON step does for the cases that matter): quoted scalars are strings, so a quoted "80" stays a
/// string and a later type check can reject it where Kubernetes would.
/// </summary>
internal static partial class YamlJsonConverter
{
    private const string TagPrefix = "tag:yaml.org,2002:";
    private const int MaxDepth = 64;
    private const int MaxNodes = 200_000;

    /// <summary>Null when the text holds no document or only an empty one.</summary>
    /// <exception cref="YamlException">Malformed YAML, or something JSON cannot express.</exception>
    public static JsonDocument? Convert(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        if (stream.Documents.Count == 0)
        {
            return null;
        }

        if (stream.Documents.Count > 1)
        {
            throw new YamlException(stream.Documents[1].RootNode.Start, stream.Documents[1].RootNode.End,
                "a second document inside one section; separate documents with a \"---\" line");
        }

        var root = stream.Documents[0].RootNode;
        if (root is YamlScalarNode scalar && Resolve(scalar) == ScalarKind.Null)
        {
            return null;
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            var budget = MaxNodes;
            Write(writer, root, depth: 0, ref budget);
        }

        return JsonDocument.Parse(buffer.WrittenMemory);
    }

    private static void Write(Utf8JsonWriter writer, YamlNode node, int depth, ref int budget)
    {
        // Aliases can build cycles or exponentially large trees ("billion laughs"); real manifests are
        // neither this deep nor this large.
        if (depth > MaxDepth)
        {
            throw new YamlException(node.Start, node.End, $"nesting deeper than {MaxDepth} levels (a recursive alias?)");
        }

        if (--budget < 0)
        {
            throw new YamlException(node.Start, node.End, $"more than {MaxNodes} values (aliases expanding too far?)");
        }

        switch (node)
        {
            case YamlMappingNode mapping:
                writer.WriteStartObject();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var (key, value) in mapping.Children)
                {
                    if (key is not YamlScalarNode { Value: { } name })
                    {
                        throw new YamlException(key.Start, key.End, "a mapping key must be a string");
                    }

                    if (!seen.Add(name))
                    {
                        throw new YamlException(key.Start, key.End, $"duplicate key \"{name}\"");
                    }

                    writer.WritePropertyName(name);
                    Write(writer, value, depth + 1, ref budget);
                }

                writer.WriteEndObject();
                break;
            case YamlSequenceNode sequence:
                writer.WriteStartArray();
                foreach (var item in sequence.Children)
                {
                    Write(writer, item, depth + 1, ref budget);
                }

                writer.WriteEndArray();
                break;
            case YamlScalarNode scalar:
                WriteScalar(writer, scalar);
                break;
            default:
                throw new YamlException(node.Start, node.End, "unsupported YAML node");
        }
    }

    private static void WriteScalar(Utf8JsonWriter writer, YamlScalarNode scalar)
    {
        var value = scalar.Value ?? string.Empty;
        switch (Resolve(scalar))
        {
            case ScalarKind.Null:
                writer.WriteNullValue();
                break;
            case ScalarKind.Boolean:
                writer.WriteBooleanValue(value.Equals("true", StringComparison.OrdinalIgnoreCase));
                break;
            case ScalarKind.Integer:
                WriteInteger(writer, scalar, value);
                break;
            case ScalarKind.Float:
                if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
                {
                    throw new YamlException(scalar.Start, scalar.End, $"the number {value} cannot be represented in JSON");
                }

                writer.WriteNumberValue(number);
                break;
            default:
                writer.WriteStringValue(value);
                break;
        }
    }

    private static void WriteInteger(Utf8JsonWriter writer, YamlScalarNode scalar, string value)
    {
        var digits = value.TrimStart('+');
        long parsed;
        var ok = digits.StartsWith("0x", StringComparison.Ordinal)
            ? long.TryParse(digits.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out parsed)
            : digits.StartsWith("0o", StringComparison.Ordinal)
                ? TryParseOctal(digits.AsSpan(2), out parsed)
                : long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out parsed);
        if (ok)
        {
            writer.WriteNumberValue(parsed);
        }
        else if (double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out var big))
        {
            writer.WriteNumberValue(big);
        }
        else
        {
            throw new YamlException(scalar.Start, scalar.End, $"the integer {value} is out of range");
        }
    }

    private static bool TryParseOctal(ReadOnlySpan<char> digits, out long value)
    {
        value = 0;
        foreach (var c in digits)
        {
            if (value > long.MaxValue / 8)
            {
                return false;
            }

            value = (value * 8) + (c - '0');
        }

        return digits.Length > 0;
    }

    private static ScalarKind Resolve(YamlScalarNode scalar)
    {
        var tag = scalar.Tag;
        if (!tag.IsEmpty && !tag.IsNonSpecific)
        {
            return tag.Value switch
            {
                TagPrefix + "null" => ScalarKind.Null,
                TagPrefix + "bool" => ScalarKind.Boolean,
                TagPrefix + "int" => ScalarKind.Integer,
                TagPrefix + "float" => ScalarKind.Float,
                _ => ScalarKind.String,
            };
        }

        if (scalar.Style != ScalarStyle.Plain && scalar.Style != ScalarStyle.Any)
        {
            return ScalarKind.String;
        }

        var value = scalar.Value ?? string.Empty;
        return value switch
        {
            "" or "~" or "null" or "Null" or "NULL" => ScalarKind.Null,
            "true" or "True" or "TRUE" or "false" or "False" or "FALSE" => ScalarKind.Boolean,
            _ when IntegerPattern().IsMatch(value) => ScalarKind.Integer,
            _ when FloatPattern().IsMatch(value) => ScalarKind.Float,
            _ => ScalarKind.String,
        };
    }

    [GeneratedRegex("^([-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex FloatPattern();

    private enum ScalarKind
    {
        String,
        Null,
        Boolean,
        Integer,
        Float,
    }
}
