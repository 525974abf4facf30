using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using MeshNet.Interception.Tests.Harness;
using Xunit.Abstractions;

namespace MeshNet.Interception.Tests;

/// <summary>
/// Root only: `meshctl up` with a network namespace per pod. Unmodified curl and dig inside a pod see a cluster
/// (names, virtual IPs, headless pods, ExternalName, passthrough); the host reaches NodePort and LoadBalancer
/// Services; `meshctl down` leaves no namespace, link, rule, process or file behind, also after `up` crashed.
/// </summary>
public sealed partial class NetnsMeshTests(ITestOutputHelper output)
{
    private static readonly TimeSpan DnsTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task PodsReachServicesThroughInterception_DnsAnswersPerSpec_DownLeavesNothing()
    {
        if (!HostShell.IsRoot)
        {
            output.WriteLine("skipped: needs root for network namespaces, veth and iptables");
            return;
        }

        using var manifests = new ManifestFiles(Random.Shared.Next(30000, 32768));
        var before = await HostShell.IptablesSaveAsync();
        await using var up = await MeshctlUp.StartAsync(manifests.Path);
        output.WriteLine(string.Join('\n', up.Lines));
        Assert.Equal(3, up.Pods.Count);
        var posts = up.Pods.Where(p => p.Key != ManifestFiles.StatefulPod).ToDictionary();
        var (ns, _) = posts.Values.First();

        // A ClusterIP Service by every name a pod's search path allows, and by its virtual IP.
        var clusterIp = await Poll.UntilAsync(() => HostShell.DigAsync(ns, "posts.blog.svc.cluster.local"), a => ClusterIpPattern().IsMatch(a), DnsTimeout, "posts A");
        foreach (var url in new[] { "http://posts.blog.svc.cluster.local/", "http://posts/", "http://posts.blog/", $"http://{clusterIp}/" })
        {
            Assert.Contains("\"service\":\"posts\"", await HostShell.CurlAsync(ns, url), StringComparison.Ordinal);
        }

        // Through the mesh, to the Service's pods only (never the headless Service's pod-0). Which of them answers is
        // the balancer's choice (the default is latency-aware), so the spread is not asserted here.
        var answered = new HashSet<string>();
        for (var i = 0; i < 8; i++)
        {
            answered.Add(PodField().Match(await HostShell.CurlAsync(ns, "http://posts/")).Groups[1].Value);
        }

        Assert.Subset(posts.Keys.ToHashSet(), answered);

        // The DNS spec's answers: SRV per named port, PTR for the virtual IP, CNAME for ExternalName.
        Assert.Equal("0 100 80 posts.blog.svc.cluster.local.", await HostShell.DigAsync(ns, "SRV", "_http._tcp.posts.blog.svc.cluster.local"));
        Assert.Equal("posts.blog.svc.cluster.local.", await HostShell.DigAsync(ns, "-x", clusterIp));
        Assert.Equal("db.example.com.", await HostShell.DigAsync(ns, "CNAME", "blog-db.blog.svc.cluster.local"));

        // A StatefulSet-style bare Pod (hostname pod-0, subdomain posts-headless) that `up` runs in its own
        // namespace: by name and through the mesh.
        var (podName, (_, podAddress)) = up.Pods.Single(p => p.Key == ManifestFiles.StatefulPod);
        await Poll.UntilAsync(() => HostShell.DigAsync(ns, "pod-0.posts-headless.blog.svc.cluster.local"), a => a == podAddress, DnsTimeout, "pod-0 A");
        Assert.Equal(podAddress, await HostShell.DigAsync(ns, "posts-headless.blog.svc.cluster.local"));
        Assert.Contains("8080 pod-0.posts-headless.blog.svc.cluster.local.", await HostShell.DigAsync(ns, "SRV", "_http._tcp.posts-headless.blog.svc.cluster.local"), StringComparison.Ordinal);
        for (var i = 0; i < 4; i++)
        {
            var reply = await HostShell.CurlAsync(ns, "http://pod-0.posts-headless.blog.svc.cluster.local:8080/");
            Assert.Equal(podName, PodField().Match(reply).Groups[1].Value);
        }

        // Passthrough: a listener outside the mesh (root namespace, on the bridge) reached unchanged, but redirected.
        using (var outside = new PlainHttpListener(IPAddress.Parse(up.Gateway), "outside-the-mesh"))
        {
            var redirected = await RedirectedPacketsAsync(ns);
            Assert.Equal("outside-the-mesh", await HostShell.CurlAsync(ns, $"http://{outside.Endpoint}/"));
            Assert.True(await RedirectedPacketsAsync(ns) > redirected, "the passthrough connection was not intercepted");
        }

        await MeasurePropagationAsync(up, manifests);

        var pids = up.RecordedPids();
        var (code, downOutput) = await up.DownAsync();
        output.WriteLine(downOutput);
        Assert.Equal(0, code);
        await AssertNothingLeftAsync(up, before, pids);
    }

    [Fact]
    public async Task NodePortAndLoadBalancer_ReachableFromHost_DownCleansUpAfterUpCrashed()
    {
        if (!HostShell.IsRoot)
        {
            output.WriteLine("skipped: needs root for network namespaces, veth and iptables");
            return;
        }

        using var manifests = new ManifestFiles(Random.Shared.Next(30000, 32768));
        var before = await HostShell.IptablesSaveAsync();
        await using var up = await MeshctlUp.StartAsync(manifests.Path);
        output.WriteLine(string.Join('\n', up.Lines));

        // The gateway (meshnet-proxy --expose) keeps connections alive: curl sends two requests on one connection.
        await AssertTwoRequestsOnOneConnectionAsync($"http://127.0.0.1:{manifests.NodePort}/");
        var lb = up.Lines.Single(l => l.StartsWith("blog ", StringComparison.Ordinal) && l.Contains("posts-lb", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[4];
        Assert.StartsWith("127.", lb, StringComparison.Ordinal);
        await AssertTwoRequestsOnOneConnectionAsync($"http://{lb}/");

        // `meshctl get svc` shows the same addresses, from the control plane's admin API.
        var table = await HostShell.RunAsync(Binaries.DotnetHost, Binaries.Meshctl, "get", "svc", "-n", "blog", "--control-plane", up.ControlPlaneAdmin.ToString());
        output.WriteLine(table);
        Assert.Equal(["posts-lb", "LoadBalancer", lb, "80:", "2/2"], Row(table, "posts-lb", 0, 1, 3, 4, 5).Select((f, i) => i == 3 ? f[..3] : f));
        Assert.Equal(["posts-node", "NodePort", "<none>", $"80:{manifests.NodePort}/TCP", "2/2"], Row(table, "posts-node", 0, 1, 3, 4, 5));
        Assert.Equal("1/1", Row(table, "posts-headless", 5)[0]);

        // A NodePort Service added while `up` runs is served once the gateway has followed the change.
        var laterPort = manifests.NodePort == 32767 ? 32766 : manifests.NodePort + 1;
        manifests.Write("later.yaml", ManifestFiles.NodePortService("posts-later", laterPort));
        await Poll.UntilAsync(
            async () => (await HostShell.TryRunAsync("curl", "-sS", "-m", "5", "--noproxy", "*", $"http://127.0.0.1:{laterPort}/")).Stdout,
            reply => reply.Contains("\"service\":\"posts\"", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30),
            "the new node port");

        // A gateway that dies is started again by `up`.
        var gateway = up.RecordedPids().Single(pid => CommandLine(pid).Contains("--name\0meshnet-gateway\0", StringComparison.Ordinal));
        Process.GetProcessById(gateway).Kill();
        await Poll.UntilAsync(
            async () => (await HostShell.TryRunAsync("curl", "-sS", "-m", "5", "--noproxy", "*", $"http://127.0.0.1:{manifests.NodePort}/")).Stdout,
            reply => reply.Contains("\"service\":\"posts\"", StringComparison.Ordinal) && up.RecordedPids().Any(p => p != gateway && IsRunning(p) && CommandLine(p).Contains("meshnet-gateway", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30),
            "a restarted gateway");

        // A crash of `up` leaves every child and the whole network behind: `down` removes them from the state file.
        var pids = up.RecordedPids();
        await up.KillUpOnlyAsync();
        Assert.Contains(up.Prefix, await HostShell.RunAsync("ip", "netns", "list"), StringComparison.Ordinal);
        var (code, downOutput) = await up.DownAsync();
        output.WriteLine(downOutput);
        Assert.Equal(0, code);
        await AssertNothingLeftAsync(up, before, pids);
    }

    /// <summary>curl fetches the URL twice; the second transfer must reuse the first one's connection.</summary>
    private async Task AssertTwoRequestsOnOneConnectionAsync(string url)
    {
        var (code, stdout, stderr) = await HostShell.TryRunAsync("curl", "-sS", "-m", "10", "--noproxy", "*", "-w", "\nconnects=%{num_connects}\n", url, url);
        output.WriteLine(stdout);
        Assert.True(code == 0, $"curl {url} twice exited {code}: {stderr}");
        Assert.Equal(2, PostsService().Count(stdout));
        Assert.Equal(["connects=1", "connects=0"], stdout.Split('\n').Where(l => l.StartsWith("connects=", StringComparison.Ordinal)));
    }

    /// <summary>The given columns of a `get svc` table's row for <paramref name="name"/>.</summary>
    private static string[] Row(string table, string name, params int[] columns)
    {
        var fields = table.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Single(f => f.Length > 0 && f[0] == name);
        return [.. columns.Select(c => fields[c])];
    }

    private async Task AssertNothingLeftAsync(MeshctlUp up, string iptablesBefore, IReadOnlyList<int> pids)
    {
        Assert.DoesNotContain(up.Prefix, await HostShell.RunAsync("ip", "netns", "list"), StringComparison.Ordinal);
        Assert.DoesNotContain(up.Prefix, await HostShell.RunAsync("ip", "-o", "link", "show"), StringComparison.Ordinal);
        Assert.Equal(iptablesBefore, await HostShell.IptablesSaveAsync());
        Assert.Empty(Directory.Exists("/etc/netns") ? Directory.GetDirectories("/etc/netns", up.Prefix + "*") : []);
        Assert.False(File.Exists(up.StateFile), "the state file is left");
        Assert.NotEmpty(pids);
        Assert.All(pids, pid => Assert.False(IsRunning(pid), $"pid {pid} is still running"));
    }

    /// <summary>Prints how long a new Service takes to be answerable by every sidecar's DNS proxy (not asserted).</summary>
    private async Task MeasurePropagationAsync(MeshctlUp up, ManifestFiles manifests)
    {
        var clock = Stopwatch.StartNew();
        manifests.Write("late.yaml", ManifestFiles.Service("late"));
        var waits = up.Pods.Values.Select(async pod =>
        {
            await Poll.UntilAsync(() => HostShell.DigAsync(pod.Netns, "late.blog.svc.cluster.local"), a => ClusterIpPattern().IsMatch(a), DnsTimeout, "late A");
            return clock.Elapsed;
        });
        var times = await Task.WhenAll(waits);
        output.WriteLine($"new Service answerable by every sidecar's DNS after {times.Max().TotalMilliseconds:0} ms (first {times.Min().TotalMilliseconds:0} ms, {times.Length} sidecars, dig polled every 100 ms)");
    }

    private static async Task<long> RedirectedPacketsAsync(string ns)
    {
        var (_, rules, _) = await HostShell.InPodAsync(ns, "iptables-save", "-c", "-t", "nat");
        return rules.Split('\n')
            .Where(l => l.Contains("-A MESHNET_OUTBOUND_REDIRECT", StringComparison.Ordinal))
            .Select(l => CounterPattern().Match(l))
            .Where(m => m.Success)
            .Sum(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline");
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^10\.96\.\d+\.\d+$")]
    private static partial Regex ClusterIpPattern();

    [GeneratedRegex("\"service\":\"posts\"")]
    private static partial Regex PostsService();

    [GeneratedRegex("\"pod\":\"([^\"]+)\"")]
    private static partial Regex PodField();

    [GeneratedRegex(@"^\[(\d+):\d+\]")]
    private static partial Regex CounterPattern();
}
