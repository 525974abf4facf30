using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshNet.ControlPlane.Allocation;

/// <summary>
/// Persists allocations (Service "ns/name" -> addresses, node ports and load balancer address) so a Service keeps
/// them across control-plane restarts. The file is replaced atomically (write a temp file, then rename over), so a crash leaves
/// either the old or the new state, never half of one.
/// </summary>
internal sealed class AllocationStateStore
{
    public const string FileName = "allocations.json";

    private readonly string _path;

    public AllocationStateStore(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        _path = Path.Combine(directory, FileName);
    }

    /// <summary>The saved allocations, or none when nothing was saved yet.</summary>
    /// <exception cref="InvalidDataException">The file exists but cannot be read as allocation state.</exception>
    public Dictionary<string, ServiceAllocation> Load()
    {
        if (!File.Exists(_path))
        {
            return new Dictionary<string, ServiceAllocation>(StringComparer.Ordinal);
        }

        try
        {
            var state = JsonSerializer.Deserialize(File.ReadAllBytes(_path), AllocationStateJsonContext.Default.AllocationStateFile);
            var result = new Dictionary<string, ServiceAllocation>(StringComparer.Ordinal);
            foreach (var (key, entry) in state?.Services ?? [])
            {
                result[key] = new ServiceAllocation(
                    [.. entry.ClusterIPs ?? []],
                    (entry.NodePorts ?? []).ToImmutableSortedDictionary(StringComparer.Ordinal),
                    [.. entry.LoadBalancerIngress ?? []]);
            }

            return result;
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{_path}: not a valid allocation state file: {ex.Message}", ex);
        }
    }

    public void Save(IReadOnlyDictionary<string, ServiceAllocation> allocations)
    {
        ArgumentNullException.ThrowIfNull(allocations);
        var file = new AllocationStateFile(
            1,
            allocations.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(
                p => p.Key,
                p => new AllocationStateEntry(
                    [.. p.Value.ClusterIPs],
                    p.Value.NodePorts.ToDictionary(StringComparer.Ordinal),
                    p.Value.LoadBalancerIPs.IsEmpty ? null : [.. p.Value.LoadBalancerIPs]),
                StringComparer.Ordinal));
        var temp = _path + ".tmp";
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(file, AllocationStateJsonContext.Default.AllocationStateFile));
        File.Move(temp, _path, overwrite: true);
    }
}

internal sealed record AllocationStateFile(int Version, Dictionary<string, AllocationStateEntry>? Services);

/// <param name="LoadBalancerIngress">Absent in files written before load balancer addresses were allocated.</param>
internal sealed record AllocationStateEntry(List<string>? ClusterIPs, Dictionary<string, int>? NodePorts, List<string>? LoadBalancerIngress);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AllocationStateFile))]
internal sealed partial class AllocationStateJsonContext : JsonSerializerContext;
