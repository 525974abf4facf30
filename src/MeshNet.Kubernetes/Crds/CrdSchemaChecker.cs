using System.Globalization;
using System.Text.Json;
using k8s.Models;
using MeshNet.Kubernetes.Manifests;
using MeshNet.Kubernetes.Validation;

namespace MeshNet.Kubernetes.Crds;

/// <summary>
/// Checks a custom resource document against its CRD's structural schema, with the same messages as
/// <see cref="SchemaChecker"/>: unknown fields, wrong types, required fields, enums, ranges, lengths, list sizes
/// and set uniqueness, every problem with its full path.
/// <para>
/// <c>pattern</c> is left to the kind's validator, which says what a name or duration must look like instead
/// of quoting a regular expression; a test keeps the two in agreement. <c>x-kubernetes-validations</c> (CEL)
/// rules are likewise implemented by the validators.
/// </para>
/// </summary>
internal static class CrdSchemaChecker
{
    public static IReadOnlyList<FieldError> Check(JsonElement root, JsonElement schema)
    {
        var errors = new List<FieldError>();
        CheckValue(root, schema, string.Empty, errors);
        return errors;
    }

    private static void CheckValue(JsonElement value, JsonElement schema, string path, List<FieldError> errors)
    {
        // As for the built-in kinds, null means "not set".
        if (value.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        // CRD schemas leave ObjectMeta open ("type: object"); the API server checks it as ObjectMeta, so do we.
        if (path == "metadata")
        {
            errors.AddRange(SchemaChecker.Check(value, typeof(V1ObjectMeta), path));
            return;
        }

        switch (ReadString(schema, "type"))
        {
            case "object":
                CheckObject(value, schema, path, errors);
                break;
            case "array":
                CheckArray(value, schema, path, errors);
                break;
            case "string":
                if (SchemaChecker.Expect(value, JsonValueKind.String, "string", path, errors))
                {
                    CheckString(value, schema, path, errors);
                }

                break;
            case "integer":
                var is32Bit = ReadString(schema, "format") != "int64";
                if (SchemaChecker.CheckInteger(value, is32Bit, path, errors))
                {
                    CheckRange(value.GetInt64(), schema, path, errors);
                    CheckEnum(value, schema, path, errors);
                }

                break;
            case "number":
                SchemaChecker.Expect(value, JsonValueKind.Number, "number", path, errors);
                break;
            case "boolean":
                if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    errors.Add(SchemaChecker.WrongType(path, "boolean", value));
                }

                break;
            default:
                // No type: x-kubernetes-preserve-unknown-fields or int-or-string; nothing structural to check.
                break;
        }
    }

    private static void CheckObject(JsonElement value, JsonElement schema, string path, List<FieldError> errors)
    {
        if (!SchemaChecker.Expect(value, JsonValueKind.Object, "object", path, errors))
        {
            return;
        }

        var hasProperties = schema.TryGetProperty("properties", out var properties);
        var hasMapValues = schema.TryGetProperty("additionalProperties", out var mapValues) && mapValues.ValueKind == JsonValueKind.Object;
        var openEnded = schema.TryGetProperty("x-kubernetes-preserve-unknown-fields", out var preserve) && preserve.ValueKind == JsonValueKind.True;
        var count = 0;
        foreach (var property in value.EnumerateObject())
        {
            count++;
            if (hasMapValues)
            {
                CheckValue(property.Value, mapValues, $"{path}[{property.Name}]", errors);
                continue;
            }

            var child = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
            if (hasProperties && properties.TryGetProperty(property.Name, out var propertySchema))
            {
                CheckValue(property.Value, propertySchema, child, errors);
            }
            else if (!openEnded)
            {
                errors.Add(new FieldError(child, "unknown field"));
            }
        }

        if (schema.TryGetProperty("required", out var required))
        {
            foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
            {
                if (!value.TryGetProperty(name, out var present) || present.ValueKind == JsonValueKind.Null)
                {
                    errors.Add(new FieldError(path.Length == 0 ? name : $"{path}.{name}", "required"));
                }
            }
        }

        if (ReadLong(schema, "minProperties") is { } minProperties && count < minProperties)
        {
            errors.Add(new FieldError(path, Plural(minProperties, "must have at least {0} entry", "must have at least {0} entries")));
        }
    }

    private static void CheckArray(JsonElement value, JsonElement schema, string path, List<FieldError> errors)
    {
        if (!SchemaChecker.Expect(value, JsonValueKind.Array, "array", path, errors))
        {
            return;
        }

        var hasItems = schema.TryGetProperty("items", out var items);
        var isSet = ReadString(schema, "x-kubernetes-list-type") == "set";
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            var itemPath = string.Create(CultureInfo.InvariantCulture, $"{path}[{index++}]");
            if (hasItems)
            {
                CheckValue(item, items, itemPath, errors);
            }

            if (isSet && !seen.Add(item.GetRawText()))
            {
                errors.Add(new FieldError(itemPath, $"duplicate value {item.GetRawText()}"));
            }
        }

        var length = value.GetArrayLength();
        if (ReadLong(schema, "minItems") is { } minItems && length < minItems)
        {
            errors.Add(new FieldError(path, Plural(minItems, "must have at least {0} item", "must have at least {0} items")));
        }

        if (ReadLong(schema, "maxItems") is { } maxItems && length > maxItems)
        {
            errors.Add(new FieldError(path, Plural(maxItems, "must have at most {0} item", "must have at most {0} items")));
        }
    }

    private static void CheckString(JsonElement value, JsonElement schema, string path, List<FieldError> errors)
    {
        var text = value.GetString()!;
        if (ReadLong(schema, "maxLength") is { } maxLength && text.Length > maxLength)
        {
            errors.Add(new FieldError(path, Plural(maxLength, "must be at most {0} character", "must be at most {0} characters")));
        }

        if (ReadLong(schema, "minLength") is { } minLength && text.Length < minLength)
        {
            errors.Add(new FieldError(path, Plural(minLength, "must be at least {0} character", "must be at least {0} characters")));
        }

        if (ReadString(schema, "format") == "date-time")
        {
            SchemaChecker.CheckTimestamp(value, path, errors);
        }

        if (schema.TryGetProperty("enum", out var allowed) && !allowed.EnumerateArray().Any(a => a.ValueKind == JsonValueKind.String && a.GetString() == text))
        {
            errors.Add(new FieldError(path, $"unsupported value \"{text}\": must be one of {string.Join(", ", allowed.EnumerateArray().Select(a => a.ToString()))}"));
        }
    }

    private static void CheckEnum(JsonElement value, JsonElement schema, string path, List<FieldError> errors)
    {
        if (schema.TryGetProperty("enum", out var allowed) && !allowed.EnumerateArray().Any(a => a.GetRawText() == value.GetRawText()))
        {
            errors.Add(new FieldError(path, $"unsupported value {value.GetRawText()}: must be one of {string.Join(", ", allowed.EnumerateArray().Select(a => a.GetRawText()))}"));
        }
    }

    private static void CheckRange(long number, JsonElement schema, string path, List<FieldError> errors)
    {
        var minimum = ReadLong(schema, "minimum");
        var maximum = ReadLong(schema, "maximum");
        if (number >= (minimum ?? long.MinValue) && number <= (maximum ?? long.MaxValue))
        {
            return;
        }

        var range = (minimum, maximum) switch
        {
            ({ } min, { } max) => $"must be {min}-{max}",
            ({ } min, null) => $"must be {min} or more",
            (null, { } max) => $"must be {max} or less",
            _ => string.Empty,
        };
        errors.Add(new FieldError(path, string.Create(CultureInfo.InvariantCulture, $"invalid value {number}: {range}")));
    }

    private static string? ReadString(JsonElement schema, string name) =>
        schema.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? ReadLong(JsonElement schema, string name) =>
        schema.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? (long)value.GetDouble() : null;

    private static string Plural(long count, string one, string many) =>
        string.Format(CultureInfo.InvariantCulture, count == 1 ? one : many, count);
}
