using System.Globalization;
using System.Text;

namespace MeshNet.EndToEnd.Tests.Harness;

/// <summary>Kubernetes-schema YAML the tests feed the control plane, as a user would write it.</summary>
internal static class Manifests
{
    public static string Namespace(string name) => $"""
        apiVersion: v1
        kind: Namespace
        metadata:
          name: {name}
        """;

    /// <summary>A ClusterIP Service; <paramref name="selector"/> null makes it selectorless.</summary>
    public static string Service(string ns, string name, IReadOnlyDictionary<string, string>? selector, params ServicePortSpec[] ports) =>
        Service(ns, name, selector, clusterIp: null, ports);

    /// <summary>A ClusterIP Service with a fixed virtual IP, as a user may pin one.</summary>
    public static string Service(string ns, string name, IReadOnlyDictionary<string, string>? selector, string? clusterIp, params ServicePortSpec[] ports)
    {
        var yaml = new StringBuilder();
        yaml.Append(CultureInfo.InvariantCulture, $"""
            apiVersion: v1
            kind: Service
            metadata:
              name: {name}
              namespace: {ns}
            spec:
              type: ClusterIP

            """);
        if (clusterIp is not null)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"  clusterIP: {clusterIp}\n");
        }

        if (selector is not null)
        {
            yaml.Append("  selector:\n");
            foreach (var (key, value) in selector)
            {
                yaml.Append(CultureInfo.InvariantCulture, $"    {key}: {value}\n");
            }
        }

        yaml.Append("  ports:\n");
        foreach (var port in ports)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"    - name: {port.Name}\n      port: {port.Port}\n      targetPort: {port.TargetPort}\n      protocol: TCP\n");
            if (port.AppProtocol is not null)
            {
                yaml.Append(CultureInfo.InvariantCulture, $"      appProtocol: {port.AppProtocol}\n");
            }
        }

        return yaml.ToString();
    }

    /// <summary>An EndpointSlice for a selectorless Service: the endpoints a user manages by hand.</summary>
    public static string EndpointSlice(string ns, string name, string serviceName, string portName, int port, params string[] addresses)
    {
        var yaml = new StringBuilder();
        yaml.Append(CultureInfo.InvariantCulture, $"""
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: {name}
              namespace: {ns}
              labels:
                kubernetes.io/service-name: {serviceName}
            addressType: IPv4
            ports:
              - name: {portName}
                port: {port}
                protocol: TCP
            endpoints:

            """);
        foreach (var address in addresses)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"  - addresses: [\"{address}\"]\n    conditions:\n      ready: true\n");
        }

        return yaml.ToString();
    }

    /// <summary>A running, ready Pod with one container port, as the API server would report it.</summary>
    public static string Pod(string ns, string name, IReadOnlyDictionary<string, string> labels, string podIp, string portName, int containerPort)
    {
        var yaml = new StringBuilder();
        yaml.Append(CultureInfo.InvariantCulture, $"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: {name}
              namespace: {ns}
              labels:

            """);
        foreach (var (key, value) in labels)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"    {key}: {value}\n");
        }

        yaml.Append(CultureInfo.InvariantCulture, $"""
            spec:
              containers:
                - name: app
                  image: meshnet-testbackend
                  ports:
                    - name: {portName}
                      containerPort: {containerPort}
                      protocol: TCP
            status:
              phase: Running
              podIP: {podIp}
              podIPs:
                - ip: {podIp}
              conditions:
                - type: Ready
                  status: "True"

            """);
        return yaml.ToString();
    }
}

/// <summary>One Service port; <see cref="TargetPort"/> is a number or a container port name, as in YAML.</summary>
internal sealed record ServicePortSpec(string Name, int Port, string TargetPort, string? AppProtocol = null);
