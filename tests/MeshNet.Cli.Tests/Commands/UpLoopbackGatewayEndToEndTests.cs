using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using MeshNet.Cli.Tests.Testing;

namespace MeshNet.Cli.Tests.Commands;

/// <summary>
/// `meshctl up --mode loopback` serves NodePort and LoadBalancer Services through its gateway, as netns mode does:
/// a real curl reaches a node port on 127.0.0.1 over one kept-alive connection.
/// </summary>
public sealed partial class UpLoopbackGatewayEndToEndTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(5);

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mnt-gw-" + Guid.NewGuid().ToString("N")[..8]);

    public UpLoopbackGatewayEndToEndTests() => Directory.CreateDirectory(_dir);

    [Fact]
    public async Task Serves_NodePortOnLoopback_WithKeepAlive_AndLoadBalancerOnItsIngress()
    {
        File.WriteAllText(Path.Combine(_dir, "echo.yaml"), Manifests);
        var podNetwork = $"127.{Random.Shared.Next(16, 120)}.1.0";
        using var meshctl = Start("up", _dir, "--pod-network", podNetwork, "--mode", "loopback");
        try
        {
            var output = meshctl.ReadUntil(line => line.StartsWith("running;", StringComparison.Ordinal), Deadline);

            var nodePort = Assert.Single(output.Select(l => NodePortUrl().Match(l)), m => m.Success).Groups[1].Value;
            var loadBalancer = Assert.Single(output.Select(l => LoadBalancerUrl().Match(l)), m => m.Success).Groups[1].Value;
            Assert.StartsWith("http://127.0.0.1:", nodePort, StringComparison.Ordinal);
            Assert.DoesNotContain(podNetwork[..^1], loadBalancer, StringComparison.Ordinal);

            // Two requests in one curl: the second must reuse the first connection through the gateway.
            var (code, stdout, stderr) = await Curl("-sS", "--max-time", "20", "-w", "\nconnects=%{num_connects}\n", nodePort, nodePort);
            Assert.True(code == 0, $"curl exited {code}\n{stderr}");
            Assert.Equal(2, EchoReply().Count(stdout));
            Assert.Equal(["connects=1", "connects=0"], stdout.Split('\n').Where(l => l.StartsWith("connects=", StringComparison.Ordinal)));

            var (lbCode, lbOut, lbErr) = await Curl("-s", "--max-time", "20", loadBalancer);
            Assert.True(lbCode == 0, $"curl {loadBalancer} exited {lbCode}\n{lbErr}");
            Assert.Equal(1, EchoReply().Count(lbOut));
        }
        finally
        {
            meshctl.Stop();
        }
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static async Task<(int Code, string Stdout, string Stderr)> Curl(params string[] arguments)
    {
        var info = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("--noproxy");
        info.ArgumentList.Add("*");
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var curl = Process.Start(info)!;
        var stdout = curl.StandardOutput.ReadToEndAsync();
        var stderr = curl.StandardError.ReadToEndAsync();
        await curl.WaitForExitAsync();
        return (curl.ExitCode, await stdout, await stderr);
    }

    private static Meshctl Start(params string[] arguments) => new(MeshctlRun.StartInfo(arguments));

    private const string Manifests = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: gwtest}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: echo, namespace: gwtest}
        spec:
          type: NodePort
          selector: {app: echo}
          ports: [{name: http, port: 80, targetPort: http}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: echo-lb, namespace: gwtest}
        spec:
          type: LoadBalancer
          selector: {app: echo}
          ports: [{name: http, port: 8081, targetPort: http}]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: echo, namespace: gwtest}
        spec:
          replicas: 2
          selector: {matchLabels: {app: echo}}
          template:
            metadata: {labels: {app: echo}}
            spec:
              containers:
              - name: echo
                command: ["blog-app"]
                ports: [{name: http, containerPort: 8080}]
                env:
                - {name: BLOG_ROLE, value: users}
                - name: POD_NAME
                  valueFrom: {fieldRef: {fieldPath: metadata.name}}
                - name: POD_IP
                  valueFrom: {fieldRef: {fieldPath: status.podIP}}
                readinessProbe:
                  httpGet: {path: /healthz, port: http}
        """;

    [GeneratedRegex(@"^echo\.gwtest: (http://\S+/) \(NodePort\)$")]
    private static partial Regex NodePortUrl();

    [GeneratedRegex(@"^echo-lb\.gwtest: (http://\S+/) \(LoadBalancer\)$")]
    private static partial Regex LoadBalancerUrl();

    [GeneratedRegex(@"""echo-[a-z0-9]+-[a-z0-9]+""")]
    private static partial Regex EchoReply();

    /// <summary>A running meshctl whose stdout is read line by line; stopping it is SIGTERM, then a kill.</summary>
    private sealed class Meshctl : IDisposable
    {
        private readonly Process _process;
        private readonly BlockingCollection<string> _lines = [];
        private readonly ConcurrentQueue<string> _stderr = new();

        public Meshctl(ProcessStartInfo info)
        {
            _process = new Process { StartInfo = info };
            _process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null)
                {
                    _lines.CompleteAdding();
                }
                else
                {
                    _lines.Add(e.Data);
                }
            };
            _process.ErrorDataReceived += (_, e) => _stderr.Enqueue(e.Data ?? string.Empty);
            _process.Start();
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public List<string> ReadUntil(Func<string, bool> last, TimeSpan deadline)
        {
            var output = new List<string>();
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < deadline && !_lines.IsCompleted)
            {
                if (_lines.TryTake(out var line, TimeSpan.FromSeconds(1)))
                {
                    output.Add(line);
                    if (last(line))
                    {
                        return output;
                    }
                }
            }

            Assert.Fail($"meshctl never got there\nstdout:\n{string.Join('\n', output)}\nstderr:\n{string.Join('\n', _stderr)}");
            return output;
        }

        public void Stop()
        {
            if (_process.HasExited)
            {
                return;
            }

            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                kill.WaitForExit();
            }

            if (!_process.WaitForExit(TimeSpan.FromMinutes(1)))
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        public void Dispose()
        {
            Stop();
            _process.Dispose();
            _lines.Dispose();
        }
    }
}
