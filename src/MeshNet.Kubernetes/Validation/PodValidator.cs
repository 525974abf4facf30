using k8s.Models;

namespace MeshNet.Kubernetes.Validation;

/// <summary>Pod and pod template rules the mesh (and the local runner) rely on, after Kubernetes' ValidatePodSpec.</summary>
internal static class PodValidator
{
    public static void Validate(V1Pod pod, FieldErrors errors)
    {
        MetadataValidator.Validate(pod.Metadata, NameFormat.Dns1123Subdomain, namespaced: true, errors);
        if (pod.Spec is null)
        {
            errors.Add("spec", "required");
        }
        else
        {
            ValidateSpec(pod.Spec, "spec", errors);
        }

        if (pod.Status is { } status)
        {
            ValidateStatus(status, errors);
        }
    }

    public static void ValidateSpec(V1PodSpec spec, string path, FieldErrors errors)
    {
        if (spec.Containers is null || spec.Containers.Count == 0)
        {
            errors.Add($"{path}.containers", "required: a Pod needs at least one container");
        }

        var containerNames = new HashSet<string>(StringComparer.Ordinal);
        var portNames = new HashSet<string>(StringComparer.Ordinal);
        ValidateContainers(spec.InitContainers, $"{path}.initContainers", containerNames, portNames, errors);
        ValidateContainers(spec.Containers, $"{path}.containers", containerNames, portNames, errors);

        if (!string.IsNullOrEmpty(spec.Hostname))
        {
            errors.Check($"{path}.hostname", NameRules.Dns1123Label(spec.Hostname));
        }

        if (!string.IsNullOrEmpty(spec.Subdomain))
        {
            errors.Check($"{path}.subdomain", NameRules.Dns1123Label(spec.Subdomain));
        }

        if (!string.IsNullOrEmpty(spec.ServiceAccountName))
        {
            errors.Check($"{path}.serviceAccountName", NameRules.Dns1123Subdomain(spec.ServiceAccountName));
        }
    }

    private static void ValidateContainers(
        IList<V1Container>? containers, string path, HashSet<string> containerNames, HashSet<string> portNames, FieldErrors errors)
    {
        if (containers is null)
        {
            return;
        }

        for (var i = 0; i < containers.Count; i++)
        {
            var container = containers[i];
            var containerPath = ServiceValidator.Indexed(path, i);
            if (container is null)
            {
                errors.Add(containerPath, "required");
                continue;
            }

            if (string.IsNullOrEmpty(container.Name))
            {
                errors.Add($"{containerPath}.name", "required");
            }
            else if (errors.Check($"{containerPath}.name", NameRules.Dns1123Label(container.Name)) && !containerNames.Add(container.Name))
            {
                errors.Add($"{containerPath}.name", $"duplicate container name \"{container.Name}\"");
            }

            ValidatePorts(container.Ports, $"{containerPath}.ports", portNames, errors);
        }
    }

    /// <summary>Port names are unique across all containers of a pod: a Service's named targetPort must resolve to one port.</summary>
    private static void ValidatePorts(IList<V1ContainerPort>? ports, string path, HashSet<string> portNames, FieldErrors errors)
    {
        if (ports is null)
        {
            return;
        }

        for (var i = 0; i < ports.Count; i++)
        {
            var port = ports[i];
            var portPath = ServiceValidator.Indexed(path, i);
            if (port is null)
            {
                errors.Add(portPath, "required");
                continue;
            }

            errors.Check($"{portPath}.containerPort", NameRules.PortNumber(port.ContainerPort));
            if (!string.IsNullOrEmpty(port.Name)
                && errors.Check($"{portPath}.name", NameRules.PortName(port.Name))
                && !portNames.Add(port.Name))
            {
                errors.Add($"{portPath}.name", $"duplicate port name \"{port.Name}\"");
            }

            if (!string.IsNullOrEmpty(port.Protocol))
            {
                errors.Check($"{portPath}.protocol", NameRules.Protocol(port.Protocol));
            }

            if (port.HostPort is { } hostPort && hostPort != 0)
            {
                errors.Check($"{portPath}.hostPort", NameRules.PortNumber(hostPort));
            }
        }
    }

    private static void ValidateStatus(V1PodStatus status, FieldErrors errors)
    {
        if (!string.IsNullOrEmpty(status.PodIP))
        {
            errors.Check("status.podIP", NameRules.IP(status.PodIP));
        }

        if (status.PodIPs is not null)
        {
            for (var i = 0; i < status.PodIPs.Count; i++)
            {
                errors.Check($"{ServiceValidator.Indexed("status.podIPs", i)}.ip", NameRules.IP(status.PodIPs[i]?.Ip ?? string.Empty));
            }
        }

        if (status.Conditions is null)
        {
            return;
        }

        for (var i = 0; i < status.Conditions.Count; i++)
        {
            var condition = status.Conditions[i];
            var path = ServiceValidator.Indexed("status.conditions", i);
            if (string.IsNullOrEmpty(condition?.Type))
            {
                errors.Add($"{path}.type", "required");
            }

            if (condition?.Status is not ("True" or "False" or "Unknown"))
            {
                errors.Add($"{path}.status", $"unsupported value \"{condition?.Status}\": must be True, False or Unknown");
            }
        }
    }
}
