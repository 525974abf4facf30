using MeshNet.Kubernetes.Manifests;

namespace MeshNet.Kubernetes.Tests;

/// <summary>One document per case, with the exact error text a user would see (origin "t.yaml").</summary>
public sealed class ManifestParserRejectTests
{
    public static TheoryData<string, string> Documents => new()
    {
        {
            "kind: Service\nmetadata: {name: a}\n",
            "t.yaml: document 0: Service default/a: apiVersion: required"
        },
        {
            "apiVersion: v1\nmetadata: {name: a}\n",
            "t.yaml: document 0: kind: required"
        },
        {
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: blog}\n",
            "t.yaml: document 0: ConfigMap blog/a: kind: unsupported kind \"ConfigMap\": expected one of v1 Namespace, v1 Service, v1 Pod, discovery.k8s.io/v1 EndpointSlice, apps/v1 Deployment, apps/v1 StatefulSet, meshnet.io/v1alpha1 TrafficPolicy, meshnet.io/v1alpha1 TrafficRoute, meshnet.io/v1alpha1 AuthorizationPolicy"
        },
        {
            "apiVersion: apps/v1\nkind: Service\nmetadata: {name: a}\n",
            "t.yaml: document 0: Service default/a: apiVersion: unsupported apiVersion \"apps/v1\" for kind Service: expected v1"
        },
        {
            "- a\n- b\n",
            "t.yaml: document 0: expected a mapping with apiVersion, kind and metadata at the top of the document"
        },
        {
            "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  ports:\n  - port: 80\n    tagetPort: 8080\n",
            "t.yaml: document 0: Service default/a: spec.ports[0].tagetPort: unknown field"
        },
        {
            "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspce: {}\n",
            "t.yaml: document 0: Service default/a: spce: unknown field"
        },
        {
            "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  ports:\n  - port: \"80\"\n",
            "t.yaml: document 0: Service default/a: spec.ports[0].port: expected integer, got string"
        },
        {
            "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  ports:\n  - port: 80\n    targetPort: \"8080\"\n",
            "t.yaml: document 0: Service default/a: spec.ports[0].targetPort: expected integer or name, got quoted number \"8080\"; write numbers without quotes"
        },
        {
            "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  ports:\n  - port: 80\n    targetPort: true\n",
            "t.yaml: document 0: Service default/a: spec.ports[0].targetPort: expected integer or string, got boolean"
        },
        {
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  labels:\n    version: 2\n",
            "t.yaml: document 0: Service default/a: metadata.labels[version]: expected string, got number"
        },
        {
            "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  ports: {port: 80}\n",
            "t.yaml: document 0: Service default/a: spec.ports: expected array, got object"
        },
        {
            "apiVersion: v1\nkind: Service\nmetadata: {name: Posts}\nspec:\n  ports: [{port: 80}]\n",
            "t.yaml: document 0: Service default/Posts: metadata.name: invalid name \"Posts\": must be a DNS-1035 label (at most 63 lowercase letters, digits or '-', starting with a letter and ending with a letter or digit)"
        },
        {
            "apiVersion: v1\nkind: Service\nmetadata: {name: 1posts}\nspec:\n  ports: [{port: 80}]\n",
            "t.yaml: document 0: Service default/1posts: metadata.name: invalid name \"1posts\": must be a DNS-1035 label (at most 63 lowercase letters, digits or '-', starting with a letter and ending with a letter or digit)"
        },
        {
            "apiVersion: v1\nkind: Service\nmetadata: {namespace: blog}\nspec:\n  ports: [{port: 80}]\n",
            "t.yaml: document 0: metadata.name: required"
        },
        {
            "apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: Blog}\nspec:\n  ports: [{port: 80}]\n",
            "t.yaml: document 0: Service Blog/a: metadata.namespace: invalid name \"Blog\": must be a DNS-1123 label (at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit)"
        },
        {
            "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  ports: [{port: 0}, {port: 70000}]\n",
            "t.yaml: document 0: Service default/a: spec.ports[0].name: required when the Service has more than one port\n"
            + "t.yaml: document 0: Service default/a: spec.ports[0].port: invalid port 0: must be 1-65535\n"
            + "t.yaml: document 0: Service default/a: spec.ports[1].name: required when the Service has more than one port\n"
            + "t.yaml: document 0: Service default/a: spec.ports[1].port: invalid port 70000: must be 1-65535"
        },
        {
            "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  ports: [{port: 80, protocol: HTTP}]\n",
            "t.yaml: document 0: Service default/a: spec.ports[0].protocol: unsupported protocol \"HTTP\": must be TCP, UDP or SCTP"
        },
        {
            "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  ports: [{port: 80, targetPort: 65536}]\n",
            "t.yaml: document 0: Service default/a: spec.ports[0].targetPort: invalid port 65536: must be 1-65535"
        },
        {
            "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  ports: [{port: 80, targetPort: Http}]\n",
            "t.yaml: document 0: Service default/a: spec.ports[0].targetPort: invalid port name \"Http\": must be an IANA_SVC_NAME (at most 15 lowercase letters, digits or '-', at least one letter, no '-' at either end or twice in a row)"
        },
        {
            "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  ports: [{port: 80, targetPort: http-alternative-port}]\n",
            "t.yaml: document 0: Service default/a: spec.ports[0].targetPort: invalid port name \"http-alternative-port\": must be an IANA_SVC_NAME (at most 15 lowercase letters, digits or '-', at least one letter, no '-' at either end or twice in a row)"
        },
        {
            "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  ports: [{port: 80, targetPort: my--port}]\n",
            "t.yaml: document 0: Service default/a: spec.ports[0].targetPort: invalid port name \"my--port\": must be an IANA_SVC_NAME (at most 15 lowercase letters, digits or '-', at least one letter, no '-' at either end or twice in a row)"
        },
        {
            "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  ports: [{name: http, port: 80}, {name: http, port: 81}]\n",
            "t.yaml: document 0: Service default/a: spec.ports[1].name: duplicate port name \"http\""
        },
        {
            "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  ports: [{name: a, port: 80}, {name: b, port: 80}]\n",
            "t.yaml: document 0: Service default/a: spec.ports[1]: duplicate port 80/TCP"
        },
        {
            "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  type: Internal\n  ports: [{port: 80}]\n",
            "t.yaml: document 0: Service default/a: spec.type: unsupported type \"Internal\": must be ClusterIP, NodePort, LoadBalancer or ExternalName"
        },
        {
            "apiVersion: v1\nkind: Service\nmetadata: {name: db}\nspec:\n  type: ExternalName\n",
            "t.yaml: document 0: Service default/db: spec.externalName: required for type ExternalName"
        },
        {
            "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  selector: {app: a}\n",
            "t.yaml: document 0: Service default/a: spec.ports: required: a Service needs at least one port unless it is headless or ExternalName"
        },
        {
            "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  clusterIP: 10.0.0.300\n  ports: [{port: 80}]\n",
            "t.yaml: document 0: Service default/a: spec.clusterIP: invalid IP address \"10.0.0.300\""
        },
        {
            "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  ports: [{port: 80, nodePort: 30080}]\n",
            "t.yaml: document 0: Service default/a: spec.ports[0].nodePort: must not be set for type ClusterIP"
        },
        {
            "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  clusterIPs: [10.96.0.1, 10.96.0.2]\n  ports: [{port: 80}]\n",
            "t.yaml: document 0: Service default/a: spec.clusterIPs[1]: must be of the other IP family than spec.clusterIPs[0] (a dual-stack pair)"
        },
        {
            "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  clusterIPs: [10.96.0.1, 'fd00::1', 10.96.0.2]\n  ports: [{port: 80}]\n",
            "t.yaml: document 0: Service default/a: spec.clusterIPs: may hold at most two addresses, one IPv4 and one IPv6"
        },
        {
            "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  selector: {\"my app\": a}\n  ports: [{port: 80}]\n",
            "t.yaml: document 0: Service default/a: spec.selector[my app]: invalid key \"my app\": must be a name of at most 63 letters, digits, '-', '_' or '.' starting and ending with a letter or digit, optionally prefixed by a DNS subdomain and '/'"
        },
        {
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    ports: [{containerPort: 8080, name: http}, {containerPort: 9090, name: http}]\n",
            "t.yaml: document 0: Pod default/p: spec.containers[0].ports[1].name: duplicate port name \"http\""
        },
        {
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {}\n",
            "t.yaml: document 0: Pod default/p: spec.containers: required: a Pod needs at least one container"
        },
        {
            "apiVersion: v1\nkind: Pod\nmetadata: {name: P_1}\nspec:\n  containers: [{name: app}]\n",
            "t.yaml: document 0: Pod default/P_1: metadata.name: invalid name \"P_1\": must be a DNS-1123 subdomain (at most 253 characters of DNS-1123 labels joined by '.')"
        },
        {
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: app}]\nstatus:\n  podIP: 127.0.1.999\n",
            "t.yaml: document 0: Pod default/p: status.podIP: invalid IP address \"127.0.1.999\""
        },
        {
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: app}]\nstatus:\n  conditions: [{type: Ready, status: Yes}]\n",
            "t.yaml: document 0: Pod default/p: status.conditions[0].status: unsupported value \"Yes\": must be True, False or Unknown"
        },
        {
            "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: db-1}\naddressType: IPv4\nendpoints: [{addresses: [10.0.0.1]}]\nports: [{port: 5432}]\n",
            "t.yaml: document 0: EndpointSlice default/db-1: metadata.labels[kubernetes.io/service-name]: required: names the Service these endpoints belong to"
        },
        {
            "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: db-1\n  labels: {kubernetes.io/service-name: db}\nendpoints: [{addresses: [10.0.0.1]}]\nports: [{port: 5432}]\n",
            "t.yaml: document 0: EndpointSlice default/db-1: addressType: required"
        },
        {
            "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: db-1\n  labels: {kubernetes.io/service-name: db}\naddressType: IPv4\nendpoints: [{addresses: [\"::1\"]}]\nports: [{port: 5432}]\n",
            "t.yaml: document 0: EndpointSlice default/db-1: endpoints[0].addresses[0]: invalid IPv4 address \"::1\""
        },
        {
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: posts}\nspec:\n  selector: {matchLabels: {app: posts}}\n  template:\n    metadata: {labels: {app: users}}\n    spec: {containers: [{name: app}]}\n",
            "t.yaml: document 0: Deployment default/posts: spec.template.metadata.labels: must match spec.selector: missing app=posts"
        },
        {
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: my.blog}\n",
            "t.yaml: document 0: Namespace/my.blog: metadata.name: invalid name \"my.blog\": must be a DNS-1123 label (at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit)"
        },
        {
            "apiVersion: v1\nkind: Service\nmetadata: {name: a\nspec: {}\n",
            "t.yaml: document 0: malformed YAML: Operation is not valid due to the current state of the object."
        },
        {
            "apiVersion: v1\nkind: Service\n  metadata: x\n",
            "t.yaml: document 0: malformed YAML at line 3, column 11: While scanning a plain scalar value, found invalid mapping."
        },
        {
            "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nkind: Pod\n",
            "t.yaml: document 0: malformed YAML at line 4, column 1: Duplicate key kind"
        },
        {
            "apiVersion: v1\nkind: Service\nmetadata: [name: a\n",
            "t.yaml: document 0: malformed YAML at line 4, column 1: While parsing a flow sequence, did not find expected ',' or ']'."
        },
        {
            "apiVersion: v1\nkind: Service\nmetadata: &m {name: a, self: *m}\n",
            "t.yaml: document 0: malformed YAML at line 3, column 21: nesting deeper than 64 levels (a recursive alias?)"
        },
        {
            "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
            + "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
            "t.yaml: document 0: malformed YAML at line 1, column 32: more than 200000 values (aliases expanding too far?)"
        },
    };

    [Theory]
    [MemberData(nameof(Documents))]
    public void Rejects_InvalidDocument_WithExactError(string yaml, string expected)
    {
        var result = ManifestParser.Parse("t.yaml", yaml);

        Assert.Empty(result.Objects);
        Assert.Equal(expected, string.Join("\n", result.Errors.Select(e => e.ToString())));
    }
}
