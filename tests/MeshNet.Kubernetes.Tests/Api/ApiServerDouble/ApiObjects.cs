namespace MeshNet.Kubernetes.Tests.Api;

/// <summary>
/// Real object JSON, shaped as `kubectl get -o json` shows objects of a running cluster (server-set fields such as
/// resourceVersion, uid and generation are filled in by <see cref="ApiServerDouble.Apply"/>).
/// </summary>
internal static class ApiObjects
{
    public static string ResourceOf(string kind) => kind switch
    {
        "Namespace" => "namespaces",
        "Service" => "services",
        "Pod" => "pods",
        "EndpointSlice" => "endpointslices",
        "TrafficPolicy" => "trafficpolicies",
        "TrafficRoute" => "trafficroutes",
        "AuthorizationPolicy" => "authorizationpolicies",
        "Secret" => "secrets",
        _ => throw new ArgumentException($"unknown kind {kind}", nameof(kind)),
    };

    public static string KindOf(string resource) => resource switch
    {
        "namespaces" => "Namespace",
        "services" => "Service",
        "pods" => "Pod",
        "endpointslices" => "EndpointSlice",
        "trafficpolicies" => "TrafficPolicy",
        "trafficroutes" => "TrafficRoute",
        "authorizationpolicies" => "AuthorizationPolicy",
        "secrets" => "Secret",
        _ => throw new ArgumentException($"unknown resource {resource}", nameof(resource)),
    };

    public static string ApiVersionOf(string resource) => resource switch
    {
        "namespaces" or "services" or "pods" or "secrets" => "v1",
        "endpointslices" => "discovery.k8s.io/v1",
        _ => "meshnet.io/v1alpha1",
    };

    public static bool IsCustom(string resource) => ApiVersionOf(resource).StartsWith("meshnet.io/", StringComparison.Ordinal);

    public static string Namespace(string name, string labels = "{}") => Fill("""
        {
          "apiVersion": "v1",
          "kind": "Namespace",
          "metadata": {
            "name": "@name@",
            "labels": @labels@,
            "annotations": {"meshnet.io/mtls": "permissive"}
          },
          "spec": {"finalizers": ["kubernetes"]},
          "status": {"phase": "Active"}
        }
        """, ("name", name), ("labels", labels));

    public static string Service(string ns, string name, string clusterIp, int port = 80, string targetPort = "\"http\"") => Fill("""
        {
          "apiVersion": "v1",
          "kind": "Service",
          "metadata": {
            "name": "@name@",
            "namespace": "@ns@",
            "labels": {"app": "@name@"},
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"},
            "managedFields": [{"manager": "kubectl-client-side-apply", "operation": "Update", "apiVersion": "v1", "time": "2026-11-26T10:00:00Z", "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {}}}]
          },
          "spec": {
            "clusterIP": "@ip@",
            "clusterIPs": ["@ip@"],
            "internalTrafficPolicy": "Cluster",
            "ipFamilies": ["IPv4"],
            "ipFamilyPolicy": "SingleStack",
            "ports": [{"name": "http", "port": @port@, "protocol": "TCP", "targetPort": @targetPort@, "appProtocol": "http"}],
            "selector": {"app": "@name@"},
            "sessionAffinity": "None",
            "type": "ClusterIP"
          },
          "status": {"loadBalancer": {}}
        }
        """, ("name", name), ("ns", ns), ("ip", clusterIp), ("port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("targetPort", targetPort));

    /// <summary>A Deployment's pod: owned by ReplicaSet "&lt;app&gt;-&lt;hash&gt;", Running and Ready.</summary>
    public static string Pod(string ns, string name, string app, string ip, bool ready = true, string hash = "7d9f8b6c5d", string serviceAccount = "default") => Fill("""
        {
          "apiVersion": "v1",
          "kind": "Pod",
          "metadata": {
            "name": "@name@",
            "namespace": "@ns@",
            "generateName": "@app@-@hash@-",
            "labels": {"app": "@app@", "version": "v1", "pod-template-hash": "@hash@"},
            "annotations": {"meshnet.io/access-log": "json"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "@app@-@hash@", "uid": "5f0c2b8e-8d43-4c1e-9a51-1f6a0e3c2d11", "controller": true, "blockOwnerDeletion": true}]
          },
          "spec": {
            "containers": [{
              "name": "app",
              "image": "ghcr.io/meshnet/blog-app:1.0",
              "imagePullPolicy": "IfNotPresent",
              "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
              "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}},
              "terminationMessagePath": "/dev/termination-log",
              "terminationMessagePolicy": "File",
              "volumeMounts": [{"name": "kube-api-access-x7k2p", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": true}]
            }],
            "dnsPolicy": "ClusterFirst",
            "enableServiceLinks": true,
            "nodeName": "kind-worker",
            "preemptionPolicy": "PreemptLowerPriority",
            "priority": 0,
            "restartPolicy": "Always",
            "schedulerName": "default-scheduler",
            "securityContext": {},
            "serviceAccount": "@sa@",
            "serviceAccountName": "@sa@",
            "terminationGracePeriodSeconds": 30,
            "tolerations": [{"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300}],
            "volumes": [{"name": "kube-api-access-x7k2p", "projected": {"defaultMode": 420, "sources": [{"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}}]}}]
          },
          "status": {
            "conditions": [
              {"type": "PodReadyToStartContainers", "status": "True", "lastTransitionTime": "2026-11-26T10:00:02Z"},
              {"type": "Initialized", "status": "True", "lastTransitionTime": "2026-11-26T10:00:01Z"},
              {"type": "Ready", "status": "@Ready@", "lastTransitionTime": "2026-11-26T10:00:04Z"},
              {"type": "ContainersReady", "status": "@Ready@", "lastTransitionTime": "2026-11-26T10:00:04Z"},
              {"type": "PodScheduled", "status": "True", "lastTransitionTime": "2026-11-26T10:00:00Z"}
            ],
            "containerStatuses": [{"name": "app", "image": "ghcr.io/meshnet/blog-app:1.0", "imageID": "ghcr.io/meshnet/blog-app@sha256:3f1c", "containerID": "containerd://9a7b", "ready": @ready@, "restartCount": 0, "started": true, "state": {"running": {"startedAt": "2026-11-26T10:00:03Z"}}}],
            "hostIP": "172.18.0.3",
            "hostIPs": [{"ip": "172.18.0.3"}],
            "phase": "Running",
            "podIP": "@ip@",
            "podIPs": [{"ip": "@ip@"}],
            "qosClass": "Burstable",
            "startTime": "2026-11-26T10:00:00Z"
          }
        }
        """, ("name", name), ("ns", ns), ("app", app), ("hash", hash), ("sa", serviceAccount), ("ip", ip), ("Ready", ready ? "True" : "False"), ("ready", Bool(ready)));

    /// <summary>An EndpointSlice as the EndpointSlice controller writes it for a Service.</summary>
    public static string EndpointSlice(string ns, string service, string name, params (string Ip, string Pod, bool Ready, bool Serving, bool Terminating)[] endpoints) => Fill("""
        {
          "apiVersion": "discovery.k8s.io/v1",
          "kind": "EndpointSlice",
          "metadata": {
            "name": "@name@",
            "namespace": "@ns@",
            "generateName": "@service@-",
            "labels": {"kubernetes.io/service-name": "@service@", "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"},
            "ownerReferences": [{"apiVersion": "v1", "kind": "Service", "name": "@service@", "uid": "0b7c1e52-6a8e-4f0f-a1a4-2b9d7f3e9c01", "controller": true, "blockOwnerDeletion": true}]
          },
          "addressType": "IPv4",
          "endpoints": [@endpoints@],
          "ports": [{"name": "http", "port": 8080, "protocol": "TCP", "appProtocol": "http"}]
        }
        """, ("name", name), ("ns", ns), ("service", service), ("endpoints", string.Join(",", endpoints.Select(e => Fill("""
            {"addresses": ["@ip@"], "conditions": {"ready": @ready@, "serving": @serving@, "terminating": @terminating@}, "nodeName": "kind-worker", "zone": "eu-west-1a", "targetRef": {"kind": "Pod", "namespace": "@ns@", "name": "@pod@", "uid": "@uid@"}}
            """, ("ip", e.Ip), ("ready", Bool(e.Ready)), ("serving", Bool(e.Serving)), ("terminating", Bool(e.Terminating)), ("ns", ns), ("pod", e.Pod), ("uid", Guid.NewGuid().ToString()))))));

    public static string TrafficPolicy(string ns, string name, string target, int attempts = 3, string requestTimeout = "2s") => Fill("""
        {
          "apiVersion": "meshnet.io/v1alpha1",
          "kind": "TrafficPolicy",
          "metadata": {"name": "@name@", "namespace": "@ns@"},
          "spec": {
            "targetRef": {"kind": "Service", "name": "@target@"},
            "timeouts": {"request": "@timeout@", "perTry": "500ms"},
            "retries": {"attempts": @attempts@, "on": ["connect-failure", "5xx"]}
          }
        }
        """, ("name", name), ("ns", ns), ("target", target), ("timeout", requestTimeout), ("attempts", attempts.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    public static string AuthorizationPolicy(string ns, string name, string target) => Fill("""
        {
          "apiVersion": "meshnet.io/v1alpha1",
          "kind": "AuthorizationPolicy",
          "metadata": {"name": "@name@", "namespace": "@ns@"},
          "spec": {
            "targetRef": {"kind": "Service", "name": "@target@"},
            "action": "Allow",
            "rules": [{"from": [{"serviceAccounts": ["blog/frontend"]}], "to": [{"methods": ["GET", "HEAD"]}]}]
          }
        }
        """, ("name", name), ("ns", ns), ("target", target));

    private static string Fill(string template, params (string Name, string Value)[] values)
    {
        foreach (var (name, value) in values)
        {
            template = template.Replace("@" + name + "@", value, StringComparison.Ordinal);
        }

        return template;
    }

    private static string Bool(bool value) => value ? "true" : "false";
}
