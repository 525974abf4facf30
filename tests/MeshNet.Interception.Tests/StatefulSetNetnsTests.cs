using System.Text.RegularExpressions;
using MeshNet.Interception.Tests.Harness;
using Xunit.Abstractions;

namespace MeshNet.Interception.Tests;

/// <summary>
/// Root only: a StatefulSet run by `meshctl up` in network namespaces. Its pods &lt;name&gt;-&lt;ordinal&gt; get their
/// own DNS names under the headless Service named by spec.serviceName, and unmodified dig and curl in another pod
/// reach each one by that name.
/// </summary>
public sealed partial class StatefulSetNetnsTests(ITestOutputHelper output)
{
    private static readonly TimeSpan DnsTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task StatefulSetPods_ResolveAndAnswer_ByTheirOwnNames()
    {
        if (!HostShell.IsRoot)
        {
            output.WriteLine("skipped: needs root for network namespaces, veth and iptables");
            return;
        }

        using var manifests = new ManifestFiles(Random.Shared.Next(30000, 32768));
        manifests.Write("web.yaml", Web);
        await using var up = await MeshctlUp.StartAsync(manifests.Path);
        output.WriteLine(string.Join('\n', up.Lines));

        // Ordinals start at spec.ordinals.start (3); a posts pod is the client.
        Assert.Contains("web-3", up.Pods.Keys);
        Assert.Contains("web-4", up.Pods.Keys);
        Assert.DoesNotContain("web-0", up.Pods.Keys);
        var client = up.Pods.First(p => p.Key.StartsWith("posts-", StringComparison.Ordinal)).Value.Netns;

        foreach (var pod in new[] { "web-3", "web-4" })
        {
            var address = up.Pods[pod].Address;
            var name = $"{pod}.web.blog.svc.cluster.local";
            await Poll.UntilAsync(() => HostShell.DigAsync(client, name), a => a == address, DnsTimeout, $"{pod} A");
            Assert.Equal($"{name}.", await HostShell.DigAsync(client, "-x", address));
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(pod, PodField().Match(await HostShell.CurlAsync(client, $"http://{name}:8080/")).Groups[1].Value);
            }
        }

        // The headless Service itself answers with both pods, and SRV names each pod's own host.
        var all = (await HostShell.DigAsync(client, "web.blog.svc.cluster.local")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Order();
        Assert.Equal(new[] { up.Pods["web-3"].Address, up.Pods["web-4"].Address }.Order(), all);
        var srv = await HostShell.DigAsync(client, "SRV", "_http._tcp.web.blog.svc.cluster.local");
        Assert.Contains("8080 web-3.web.blog.svc.cluster.local.", srv, StringComparison.Ordinal);
        Assert.Contains("8080 web-4.web.blog.svc.cluster.local.", srv, StringComparison.Ordinal);

        var (code, downOutput) = await up.DownAsync();
        output.WriteLine(downOutput);
        Assert.Equal(0, code);
    }

    [GeneratedRegex("\"pod\":\"([^\"]+)\"")]
    private static partial Regex PodField();

    private const string Web = """
        apiVersion: v1
        kind: Service
        metadata:
          name: web
          namespace: blog
        spec:
          clusterIP: None
          selector:
            app: web
          ports:
            - name: http
              port: 8080
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: web
          namespace: blog
        spec:
          serviceName: web
          replicas: 2
          ordinals:
            start: 3
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
                - name: web
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
                    - name: POD_IP
                      valueFrom:
                        fieldRef:
                          fieldPath: status.podIP
                  readinessProbe:
                    httpGet:
                      path: /healthz
                      port: http
        """;
}
