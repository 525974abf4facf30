using System.Globalization;
using System.Text;

namespace MeshNet.Bench.ControlPlane;

/// <summary>
/// Writes a manifest directory with N Services x M ready Pods (one file per Service holding the Service and its Pods)
/// plus the one Pod the benchmark flips, alone in its own file so an edit touches one small file.
/// Pod addresses are 127.16.0.0/12-style loopback values: config data only, nothing ever connects to them.
/// </summary>
internal static class ManifestGenerator
{
    public const string Namespace = "bench";
    public const string FlipFile = "flip-pod.yaml";

    public static void Write(string directory, int services, int endpointsPerService)
    {
        Directory.CreateDirectory(directory);
        foreach (var file in Directory.GetFiles(directory, "*.yaml"))
        {
            File.Delete(file);
        }
        File.WriteAllText(Path.Combine(directory, "namespace.yaml"),
            $"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {Namespace}\n");

        var index = 0;
        for (var s = 0; s < services; s++)
        {
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"""
                apiVersion: v1
                kind: Service
                metadata:
                  name: svc-{s}
                  namespace: {Namespace}
                spec:
                  selector:
                    app: svc-{s}
                  ports:
                    - name: http
                      port: 80
                      targetPort: 8080
                      protocol: TCP

                """);
            for (var m = 0; m < endpointsPerService; m++, index++)
            {
                if (s == 0 && m == 0)
                {
                    continue;
                }
                text.Append("---\n").Append(Pod(s, m, index, ready: true));
            }
            File.WriteAllText(Path.Combine(directory, $"svc-{s}.yaml"), text.ToString());
        }
        WriteFlipPod(directory, ready: true);
    }

    /// <summary>Rewrites the flip Pod (svc-0's first endpoint) with the given readiness, atomically by rename.</summary>
    public static void WriteFlipPod(string directory, bool ready)
    {
        var temp = Path.Combine(directory, ".flip-pod.tmp");
        File.WriteAllText(temp, Pod(0, 0, 0, ready));
        File.Move(temp, Path.Combine(directory, FlipFile), overwrite: true);
    }

    private static string Pod(int service, int member, int index, bool ready)
    {
        var ip = $"127.{16 + index / 65536}.{index / 256 % 256}.{index % 256}";
        var status = ready ? "True" : "False";
        return $"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: svc-{service}-{member}
              namespace: {Namespace}
              labels:
                app: svc-{service}
            spec:
              containers:
                - name: app
                  image: bench
                  ports:
                    - name: http
                      containerPort: 8080
                      protocol: TCP
            status:
              phase: Running
              podIP: {ip}
              podIPs:
                - ip: {ip}
              conditions:
                - type: Ready
                  status: "{status}"

            """;
    }
}
