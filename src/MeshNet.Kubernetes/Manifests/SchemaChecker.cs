using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using k8s.Models;
using MeshNet.Kubernetes.Validation;

namespace MeshNet.Kubernetes.Manifests;

/// <summary>
/// Checks a document against the shape of its KubernetesClient model type before deserializing it, the way
/// <c>kubectl apply --validate=strict</c> does: unknown fields and wrongly typed values are errors with their
/// full path. Deserializers stop at the first problem and lose the path; this walk reports every one.
/// </summary>
internal static class SchemaChecker
{
    private static readonly ConcurrentDictionary<Type, IReadOnlyDictionary<string, Type>> Members = new();

    public static IReadOnlyList<FieldError> Check(JsonElement root, Type type) => Check(root, type, string.Empty);

    /// <param name="path">Where <paramref name="value"/> sits in its document, prefixed to every error's field.</param>
    public static IReadOnlyList<FieldError> Check(JsonElement value, Type type, string path)
    {
        var errors = new List<FieldError>();
        CheckValue(value, type, path, errors);
        return errors;
    }

    private static void CheckValue(JsonElement value, Type type, string path, List<FieldError> errors)
    {
        // Go's JSON decoder treats null as "not set" for every field; so does the mesh.
        if (value.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(object))
        {
            return;
        }

        if (type == typeof(string))
        {
            Expect(value, JsonValueKind.String, "string", path, errors);
        }
        else if (type == typeof(bool))
        {
            if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                errors.Add(WrongType(path, "boolean", value));
            }
        }
        else if (type == typeof(int) || type == typeof(long))
        {
            CheckInteger(value, type == typeof(int), path, errors);
        }
        else if (type == typeof(double) || type == typeof(float))
        {
            Expect(value, JsonValueKind.Number, "number", path, errors);
        }
        else if (type == typeof(DateTime) || type == typeof(DateTimeOffset))
        {
            CheckTimestamp(value, path, errors);
        }
        else if (type == typeof(IntOrString))
        {
            CheckIntOrString(value, path, errors);
        }
        else if (type == typeof(ResourceQuantity))
        {
            if (value.ValueKind is not (JsonValueKind.String or JsonValueKind.Number))
            {
                errors.Add(WrongType(path, "quantity (string or number)", value));
            }
        }
        else if (type == typeof(byte[]))
        {
            Expect(value, JsonValueKind.String, "base64 string", path, errors);
        }
        else if (TryGetDictionaryValueType(type, out var itemType))
        {
            if (Expect(value, JsonValueKind.Object, "object", path, errors))
            {
                foreach (var property in value.EnumerateObject())
                {
                    CheckValue(property.Value, itemType, $"{path}[{property.Name}]", errors);
                }
            }
        }
        else if (TryGetListItemType(type, out itemType))
        {
            if (Expect(value, JsonValueKind.Array, "array", path, errors))
            {
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    CheckValue(item, itemType, string.Create(CultureInfo.InvariantCulture, $"{path}[{index++}]"), errors);
                }
            }
        }
        else if (Expect(value, JsonValueKind.Object, "object", path, errors))
        {
            var members = Members.GetOrAdd(type, MapMembers);
            foreach (var property in value.EnumerateObject())
            {
                var child = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
                if (members.TryGetValue(property.Name, out var memberType))
                {
                    CheckValue(property.Value, memberType, child, errors);
                }
                else
                {
                    errors.Add(new FieldError(child, "unknown field"));
                }
            }
        }
    }

    /// <summary>True when <paramref name="value"/> is an integer that fits.</summary>
    internal static bool CheckInteger(JsonElement value, bool is32Bit, string path, List<FieldError> errors)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            errors.Add(WrongType(path, "integer", value));
        }
        else if (!value.TryGetInt64(out var number))
        {
            errors.Add(new FieldError(path, $"expected integer, got {value.GetRawText()}"));
        }
        else if (is32Bit && number is < int.MinValue or > int.MaxValue)
        {
            errors.Add(new FieldError(path, $"integer {number} is out of range"));
        }
        else
        {
            return true;
        }

        return false;
    }

    private static void CheckIntOrString(JsonElement value, string path, List<FieldError> errors)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Number:
                if (!value.TryGetInt32(out _))
                {
                    errors.Add(new FieldError(path, $"expected integer or string, got {value.GetRawText()}"));
                }

                break;
            case JsonValueKind.String:
                // KubernetesClient stores both forms as text, so "80" and 80 would look alike after this point;
                // Kubernetes rejects the quoted form (a name needs a letter), and so does the mesh.
                var text = value.GetString()!;
                if (text.Length > 0 && text.All(char.IsAsciiDigit))
                {
                    errors.Add(new FieldError(path, $"expected integer or name, got quoted number \"{text}\"; write numbers without quotes"));
                }

                break;
            default:
                errors.Add(WrongType(path, "integer or string", value));
                break;
        }
    }

    internal static void CheckTimestamp(JsonElement value, string path, List<FieldError> errors)
    {
        if (Expect(value, JsonValueKind.String, "timestamp", path, errors)
            && !DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _))
        {
            errors.Add(new FieldError(path, $"invalid timestamp \"{value.GetString()}\": expected RFC 3339"));
        }
    }

    internal static bool Expect(JsonElement value, JsonValueKind kind, string expected, string path, List<FieldError> errors)
    {
        if (value.ValueKind == kind)
        {
            return true;
        }

        errors.Add(WrongType(path, expected, value));
        return false;
    }

    internal static FieldError WrongType(string path, string expected, JsonElement value) =>
        new(path, $"expected {expected}, got {Describe(value.ValueKind)}");

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };

    private static IReadOnlyDictionary<string, Type> MapMembers(Type type)
    {
        var members = new Dictionary<string, Type>(StringComparer.Ordinal);
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetCustomAttribute<JsonPropertyNameAttribute>() is { } name)
            {
                members[name.Name] = property.PropertyType;
            }
        }

        return members;
    }

    private static bool TryGetDictionaryValueType(Type type, out Type valueType)
    {
        var dictionary = FindGeneric(type, typeof(IDictionary<,>));
        valueType = dictionary?.GetGenericArguments()[1] ?? typeof(object);
        return dictionary is not null;
    }

    private static bool TryGetListItemType(Type type, out Type itemType)
    {
        var list = FindGeneric(type, typeof(IList<>)) ?? FindGeneric(type, typeof(IEnumerable<>));
        itemType = list?.GetGenericArguments()[0] ?? typeof(object);
        return list is not null && type != typeof(string);
    }

    private static Type? FindGeneric(Type type, Type definition)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == definition)
        {
            return type;
        }

        return Array.Find(type.GetInterfaces(), i => i.IsGenericType && i.GetGenericTypeDefinition() == definition);
    }
}
