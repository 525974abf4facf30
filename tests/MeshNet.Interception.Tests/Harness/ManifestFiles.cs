namespace MeshNet.Interception.Tests.Harness;

/// <summary>A temporary manifest directory: a ClusterIP Service with two blog-app pods, a StatefulSet-style bare Pod
/// (hostname pod-0, subdomain posts-headless) behind a headless Service, an ExternalName Service and a NodePort and
/// a LoadBalancer Service in front of the two posts pods.</summary>
public sealed class ManifestFiles : IDisposable
{
    public ManifestFiles(int nodePort)
    {
        NodePort = nodePort;
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mnt-manifests-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path);
        Write("posts.yaml", Posts);
        Write("services.yaml", string.Format(System.Globalization.CultureInfo.InvariantCulture, OtherServices, nodePort));
    }

    /// <summary>The bare Pod's name (and hostname) under the headless Service posts-headless.</summary>
    public const string StatefulPod = "pod-0";

    public string Path { get; }

    public int NodePort { get; }

    public void Write(string name, string yaml) => File.WriteAllText(System.IO.Path.Combine(Path, name), yaml);

    /// <summary>A NodePort Service added while the mesh runs, in front of the posts pods.</summary>
    public static string NodePortService(string name, int nodePort) => $"""
        apiVersion: v1
        kind: Service
        metadata:
          name: {name}
          namespace: blog
        spec:
          type: NodePort
          selector:
            app: posts
          ports:
            - name: http
              port: 80
              targetPort: http
              nodePort: {nodePort}
        """;

    public static string Service(string name) => $"""
        apiVersion: v1
        kind: Service
        metadata:
          name: {name}
          namespace: blog
        spec:
          selector:
            app: posts
          ports:
            - name: http
              port: 80
              targetPort: http
        """;

    public void Dispose() => Directory.Delete(Path, recursive: true);

    private const string Posts = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: blog
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: posts
          namespace: blog
        spec:
          selector:
            app: posts
          ports:
            - name: http
              port: 80
              targetPort: http
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: posts
          namespace: blog
        spec:
          replicas: 2
          selector:
            matchLabels:
              app: posts
          template:
            metadata:
              labels:
                app: posts
            spec:
              containers:
                - name: posts
                  image: ghcr.io/meshnet/blog-app:0.1.0
                  command: ["blog-app"]
                  ports:
                    - name: http
                      containerPort: 8080
                  env:
                    - name: BLOG_ROLE
                      value: posts
                    - name: POD_NAME
                      valueFrom:
                        fieldRef:
                          fieldPath: metadata.name
                    - name: POD_NAMESPACE
                      valueFrom:
                        fieldRef:
                          fieldPath: metadata.namespace
                    - name: POD_IP
                      valueFrom:
                        fieldRef:
                          fieldPath: status.podIP
                  readinessProbe:
                    httpGet:
                      path: /healthz
                      port: http
        """;

    private const string OtherServices = """
        apiVersion: v1
        kind: Service
        metadata:
          name: posts-headless
          namespace: blog
        spec:
          clusterIP: None
          selector:
            app: posts-store
          ports:
            - name: http
              port: 8080
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: pod-0
          namespace: blog
          labels:
            app: posts-store
        spec:
          hostname: pod-0
          subdomain: posts-headless
          containers:
            - name: posts
              image: ghcr.io/meshnet/blog-app:0.1.0
              command: ["blog-app"]
              ports:
                - name: http
                  containerPort: 8080
              env:
                - name: BLOG_ROLE
                  value: posts
                - name: POD_NAME
                  valueFrom:
                    fieldRef:
                      fieldPath: metadata.name
                - name: POD_NAMESPACE
                  valueFrom:
                    fieldRef:
                      fieldPath: metadata.namespace
                - name: POD_IP
                  valueFrom:
                    fieldRef:
                      fieldPath: status.podIP
              readinessProbe:
                httpGet:
                  path: /healthz
                  port: http
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: blog-db
          namespace: blog
        spec:
          type: ExternalName
          externalName: db.example.com
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: posts-node
          namespace: blog
        spec:
          type: NodePort
          selector:
            app: posts
          ports:
            - name: http
              port: 80
              targetPort: http
              nodePort: {0}
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: posts-lb
          namespace: blog
        spec:
          type: LoadBalancer
          selector:
            app: posts
          ports:
            - name: http
              port: 80
              targetPort: http
        """;
}
