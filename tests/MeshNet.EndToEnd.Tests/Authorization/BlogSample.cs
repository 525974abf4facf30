using System.Net;
using System.Text.RegularExpressions;
using MeshNet.EndToEnd.Tests.Harness;

namespace MeshNet.EndToEnd.Tests.Authorization;

/// <summary>
/// The blog sample's own manifests (namespace, Services, AuthorizationPolicies) in a test's manifest directory, and
/// loopback pods in namespace <c>blog</c> that register as the sample's workloads would: same labels, same service
/// accounts. The Deployments in the files have no pods here (universal mode without meshctl); the test starts them.
/// </summary>
internal sealed class BlogSample : IAsyncDisposable
{
    public const string Namespace = "blog";
    public const string AuthorizationFile = "blog-authorization.yaml";

    /// <summary>Copied as "blog-NAME" so they never replace the test bed's own namespace.yaml.</summary>
    private static readonly string[] SampleFiles = ["namespace.yaml", "frontend.yaml", "users.yaml", "posts.yaml", "comments.yaml", "authorization.yaml"];

    private readonly MeshTestBed _bed;
    private readonly List<IAsyncDisposable> _owned = [];

    public BlogSample(MeshTestBed bed)
    {
        _bed = bed;
    }

    public static (string File, string Yaml)[] Manifests() =>
        [.. SampleFiles.Select(f => ("blog-" + f, File.ReadAllText(Path.Combine(SampleDirectory(), f))))];

    /// <summary>The sample's authorization.yaml without the policies named, as a user would edit it.</summary>
    public static string AuthorizationWithout(params string[] policyNames)
    {
        var documents = Regex.Split(File.ReadAllText(Path.Combine(SampleDirectory(), "authorization.yaml")), @"^---\s*$", RegexOptions.Multiline);
        return string.Join("\n---\n", documents.Where(d => !policyNames.Any(name => Regex.IsMatch(d, $@"^\s*name: {Regex.Escape(name)}\s*$", RegexOptions.Multiline))));
    }

    /// <summary>A posts replica: the test backend behind a sidecar with the posts Deployment's labels and service account.</summary>
    public async Task<MeshPod> StartPostsAsync(string name)
    {
        var identity = await _bed.Admin.CreateJoinTokenAsync(Namespace, "posts");
        var address = LoopbackAddresses.NextPodAddress(PodPorts.All);
        var app = Own(await BackendProcess.StartAsync(name, address, _bed.Log));
        var sidecar = Own(await SidecarProcess.StartAsync(
            new SidecarOptions(
                name,
                Namespace,
                address,
                _bed.ControlPlane.GrpcUrl,
                new Dictionary<string, string> { ["app"] = "posts", ["version"] = "v1" },
                new Dictionary<string, int> { [MeshTestBed.HttpPortName] = PodPorts.AppHttp },
                AppPort: PodPorts.AppHttp,
                ReadinessPath: "/healthz",
                ProbeInterval: "1s",
                JoinToken: identity.JoinToken,
                ServiceAccount: identity.ServiceAccount),
            _bed.Log));
        return new MeshPod(name, address, app, sidecar);
    }

    /// <summary>
    /// A calling pod with only a sidecar, running as <paramref name="serviceAccount"/> (with a join token, so it speaks
    /// mTLS once certified), or as a plaintext caller with no identity when null.
    /// </summary>
    public async Task<MeshPod> StartCallerAsync(string name, string? serviceAccount)
    {
        var identity = serviceAccount is null ? null : await _bed.Admin.CreateJoinTokenAsync(Namespace, serviceAccount);
        var address = LoopbackAddresses.NextPodAddress(PodPorts.All);
        var sidecar = Own(await SidecarProcess.StartAsync(
            new SidecarOptions(
                name,
                Namespace,
                address,
                _bed.ControlPlane.GrpcUrl,
                // A label no Service of the sample selects: a caller, never an endpoint.
                new Dictionary<string, string> { ["test-caller"] = name },
                new Dictionary<string, int>(),
                JoinToken: identity?.JoinToken,
                ServiceAccount: identity?.ServiceAccount ?? "default"),
            _bed.Log));
        return new MeshPod(name, address, null, sidecar);
    }

    /// <summary>Waits until the posts Service lists exactly these ready endpoints.</summary>
    public Task WaitForPostsAsync(TimeSpan timeout, params IPAddress[] addresses)
    {
        var expected = addresses.Select(a => a.ToString()).Order(StringComparer.Ordinal).ToArray();
        return Poll.UntilAsync(
            async () => ((await _bed.Admin.ServiceAsync(Namespace, "posts"))?.Endpoints ?? [])
                .Where(e => e.Ready).Select(e => e.Address).Distinct().Order(StringComparer.Ordinal).SequenceEqual(expected),
            timeout,
            $"posts.blog has ready endpoints [{string.Join(", ", expected)}]");
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_owned.Select(o => o.DisposeAsync().AsTask()));
        _owned.Clear();
    }

    private T Own<T>(T disposable)
        where T : IAsyncDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    private static string SampleDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MeshNet.sln")))
            {
                return Path.Combine(dir.FullName, "samples", "blog");
            }
        }

        throw new DirectoryNotFoundException($"no MeshNet.sln above {AppContext.BaseDirectory}");
    }
}
