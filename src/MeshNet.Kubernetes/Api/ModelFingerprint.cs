using System.Security.Cryptography;
using System.Text.Json;
using MeshNet.Model;

namespace MeshNet.Kubernetes.Api;

/// <summary>
/// Content identity of a mesh resource. Most API updates change nothing the mesh models (a pod's container
/// statuses, a Service's managed fields, a status we wrote ourselves), and model records hold immutable collections
/// that compare by reference, so equality of two conversions says little: the serialized form does.
/// </summary>
internal static class ModelFingerprint
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = false };

    public static string Of(MeshResource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(resource, resource.GetType(), Options);
        return Convert.ToHexString(SHA256.HashData(bytes));
    }
}
