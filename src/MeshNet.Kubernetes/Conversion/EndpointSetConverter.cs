using k8s.Models;
using MeshNet.Kubernetes.Validation;
using MeshNet.Model;

namespace MeshNet.Kubernetes.Conversion;

/// <summary>V1EndpointSlice to <see cref="EndpointSet"/>.</summary>
public static class EndpointSetConverter
{
    public const string ServiceNameLabel = EndpointSliceValidator.ServiceNameLabel;

    public static EndpointSet ToEndpointSet(V1EndpointSlice slice)
    {
        ArgumentNullException.ThrowIfNull(slice);
        string? serviceName = null;
        slice.Metadata?.Labels?.TryGetValue(ServiceNameLabel, out serviceName);
        return new EndpointSet(
            Namespace: ConversionHelpers.NamespaceOf(slice.Metadata),
            Name: slice.Metadata?.Name ?? string.Empty,
            ServiceName: serviceName ?? string.Empty,
            AddressType: slice.AddressType ?? string.Empty,
            Ports: slice.Ports is null
                ? []
                : [.. slice.Ports.Where(p => p is not null).Select(p => new EndpointSetPort(
                    p.Name ?? string.Empty, p.Port ?? 0, ConversionHelpers.ProtocolOrDefault(p.Protocol), string.IsNullOrEmpty(p.AppProtocol) ? null : p.AppProtocol))],
            Endpoints: slice.Endpoints is null
                ? []
                : [.. slice.Endpoints.Where(e => e is not null).Select(ToEntry)]);
    }

    private static EndpointSetEntry ToEntry(V1Endpoint endpoint) => new(
        Addresses: endpoint.Addresses is null ? [] : [.. endpoint.Addresses.Where(a => !string.IsNullOrEmpty(a))],
        // The API documents an unset ready condition as "ready": consumers should assume the endpoint can serve.
        Ready: endpoint.Conditions?.Ready ?? true,
        Hostname: string.IsNullOrEmpty(endpoint.Hostname) ? null : endpoint.Hostname,
        TargetPodName: string.Equals(endpoint.TargetRef?.Kind, "Pod", StringComparison.Ordinal) ? endpoint.TargetRef?.Name : null,
        Serving: endpoint.Conditions?.Serving,
        Terminating: endpoint.Conditions?.Terminating ?? false,
        Zone: string.IsNullOrEmpty(endpoint.Zone) ? null : endpoint.Zone);
}
