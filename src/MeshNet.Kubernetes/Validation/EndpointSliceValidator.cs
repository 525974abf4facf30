using k8s.Models;

namespace MeshNet.Kubernetes.Validation;

/// <summary>EndpointSlice rules the mesh relies on, after Kubernetes' ValidateEndpointSlice.</summary>
internal static class EndpointSliceValidator
{
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    public static void Validate(V1EndpointSlice slice, FieldErrors errors)
    {
        MetadataValidator.Validate(slice.Metadata, NameFormat.Dns1123Subdomain, namespaced: true, errors);
        const string LabelPath = $"metadata.labels[{ServiceNameLabel}]";
        if (slice.Metadata?.Labels?.TryGetValue(ServiceNameLabel, out var service) != true || string.IsNullOrEmpty(service))
        {
            errors.Add(LabelPath, "required: names the Service these endpoints belong to");
        }
        else
        {
            errors.Check(LabelPath, NameRules.Dns1035Label(service));
        }

        var addressType = slice.AddressType;
        if (string.IsNullOrEmpty(addressType))
        {
            errors.Add("addressType", "required");
        }
        else if (addressType is not ("IPv4" or "IPv6" or "FQDN"))
        {
            errors.Add("addressType", $"unsupported value \"{addressType}\": must be IPv4, IPv6 or FQDN");
            addressType = null;
        }

        ValidateEndpoints(slice.Endpoints, addressType, errors);
        ValidatePorts(slice.Ports, errors);
    }

    private static void ValidateEndpoints(IList<V1Endpoint>? endpoints, string? addressType, FieldErrors errors)
    {
        if (endpoints is null)
        {
            return;
        }

        for (var i = 0; i < endpoints.Count; i++)
        {
            var endpoint = endpoints[i];
            var path = ServiceValidator.Indexed("endpoints", i);
            if (endpoint?.Addresses is null || endpoint.Addresses.Count == 0)
            {
                errors.Add($"{path}.addresses", "required: at least one address");
                continue;
            }

            if (endpoint.Addresses.Count > 100)
            {
                errors.Add($"{path}.addresses", "at most 100 addresses");
            }

            for (var j = 0; j < endpoint.Addresses.Count; j++)
            {
                var address = endpoint.Addresses[j] ?? string.Empty;
                errors.Check(ServiceValidator.Indexed($"{path}.addresses", j), addressType switch
                {
                    "IPv4" => NameRules.IPv4(address),
                    "IPv6" => NameRules.IPv6(address),
                    "FQDN" => NameRules.Dns1123Subdomain(address),
                    _ => null,
                });
            }

            if (!string.IsNullOrEmpty(endpoint.Hostname))
            {
                errors.Check($"{path}.hostname", NameRules.Dns1123Label(endpoint.Hostname));
            }
        }
    }

    private static void ValidatePorts(IList<Discoveryv1EndpointPort>? ports, FieldErrors errors)
    {
        if (ports is null)
        {
            return;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < ports.Count; i++)
        {
            var port = ports[i];
            var path = ServiceValidator.Indexed("ports", i);
            if (port is null)
            {
                errors.Add(path, "required");
                continue;
            }

            var name = port.Name ?? string.Empty;
            if (name.Length > 0)
            {
                errors.Check($"{path}.name", NameRules.Dns1123Label(name));
            }

            if (!names.Add(name))
            {
                errors.Add($"{path}.name", $"duplicate port name \"{name}\"");
            }

            // Kubernetes lets an unset port mean "all ports"; the mesh routes to concrete ports only.
            if (port.Port is not { } number)
            {
                errors.Add($"{path}.port", "required: the mesh needs a port number");
            }
            else
            {
                errors.Check($"{path}.port", NameRules.PortNumber(number));
            }

            if (!string.IsNullOrEmpty(port.Protocol))
            {
                errors.Check($"{path}.protocol", NameRules.Protocol(port.Protocol));
            }
        }
    }
}
