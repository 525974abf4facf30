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
        Assert.Equal(2, up.Pods.Count);
        var (ns, _) = up.Pods.Values.First();

        // A ClusterIP Service by every name a pod's search path allows, and by its virtual IP.
        var clusterIp = await Poll.UntilAsync(() => HostShell.DigAsync(ns, "posts.blog.svc.cluster.local"), a => ClusterIpPattern().IsMatch(a), DnsTimeout, "posts A");
        foreach (var url in new[] { "http://posts.blog.svc.cluster.local/", "http://posts/", "http://posts.blog/", $"http://{clusterIp}/" })
        {
            Assert.Contains("\"service\":\"posts\"", await HostShell.CurlAsync(ns, url), StringComparison.Ordinal);
        }

        // Through the mesh: round robin over both pods.
        var answered = new HashSet<string>();
        for (var i = 0; i < 8; i++)
        {
            answered.Add(PodField().Match(await HostShell.CurlAsync(ns, "http://posts/")).Groups[1].Value);
        }

        Assert.Equal(up.Pods.Keys.Order(), answered.Order());

        // The DNS spec's answers: SRV per named port, PTR for the virtual IP, CNAME for ExternalName.
        Assert.Equal("0 100 80 posts.blog.svc.cluster.local.", await HostShell.DigAsync(ns, "SRV", "_http._tcp.posts.blog.svc.cluster.local"));
        Assert.Equal("posts.blog.svc.cluster.local.", await HostShell.DigAsync(ns, "-x", clusterIp));
        Assert.Equal("db.example.com.", await HostShell.DigAsync(ns, "CNAME", "blog-db.blog.svc.cluster.local"));

        // A StatefulSet-style pod: hostname pod-0 under the headless Service, by name and through the mesh.
        var (podName, (_, podAddress)) = up.Pods.First(p => p.Value.Netns != ns);
        manifests.Write("headless-slice.yaml", ManifestFiles.HeadlessSlice(podAddress));
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

        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        var nodePortReply = await http.GetStringAsync(new Uri($"http://127.0.0.1:{manifests.NodePort}/"));
        Assert.Contains("\"service\":\"posts\"", nodePortReply, StringComparison.Ordinal);

        var lb = up.Lines.Single(l => l.StartsWith("blog ", StringComparison.Ordinal) && l.Contains("posts-lb", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[4];
        Assert.StartsWith("127.", lb, StringComparison.Ordinal);
        Assert.Contains("\"service\":\"posts\"", await http.GetStringAsync(new Uri($"http://{lb}/")), StringComparison.Ordinal);

        // A crash of `up` leaves every child and the whole network behind: `down` removes them from the state file.
        var pids = up.RecordedPids();
        await up.KillUpOnlyAsync();
        Assert.Contains(up.Prefix, await HostShell.RunAsync("ip", "netns", "list"), StringComparison.Ordinal);
        var (code, downOutput) = await up.DownAsync();
        output.WriteLine(downOutput);
        Assert.Equal(0, code);
        await AssertNothingLeftAsync(up, before, pids);
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

    [GeneratedRegex("\"pod\":\"([^\"]+)\"")]
    private static partial Regex PodField();

    [GeneratedRegex(@"^\[(\d+):\d+\]")]
    private static partial Regex CounterPattern();
}
