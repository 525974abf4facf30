using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using MeshNet.EndToEnd.Tests.Harness;

namespace MeshNet.EndToEnd.Tests.Otlp;

/// <summary>
/// The blog app as frontend -> posts -> comments under `meshctl up --mode loopback`, with every process exporting
/// spans to one in-test <see cref="OtlpReceiver"/>: meshctl passes OTEL_* from its environment to the control plane,
/// the sidecars and the apps (sidecars and control plane over gRPC; the apps' own variables switch them to
/// HTTP/protobuf, so both protocols are exercised). Posts has a second replica, the test backend answering 503 to
/// everything, behind a round-robin policy that retries gateway errors, so some requests take two attempts.
/// </summary>
public sealed partial class TracedBlogMesh : IAsyncLifetime
{
    public const string Namespace = "tracing";

    private static readonly TimeSpan StartDeadline = TimeSpan.FromMinutes(4);

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mn-trace-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource _running = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Process? _meshctl;

    public OtlpReceiver Receiver { get; private set; } = null!;

    /// <summary>Pod IP by the Deployment it belongs to ("frontend", "posts-v1", "posts-flaky", "comments").</summary>
    public Dictionary<string, IPAddress> Pods { get; } = [];

    public HttpClient Client { get; } = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(20) };

    public async Task InitializeAsync()
    {
        Receiver = await OtlpReceiver.StartAsync();
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "blog.yaml"), Manifests(Receiver.HttpEndpoint, FreePort()));
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(MeshBinaries.Find("MeshNet.Cli", "meshctl.dll"));
        foreach (var argument in new[] { "up", _dir, "--mode", "loopback", "--pod-network", $"127.{Random.Shared.Next(130, 250)}.2.0" })
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = Receiver.GrpcEndpoint.ToString();
        info.Environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc";
        // Batches leave every 200 ms instead of every 5 s, so the test waits for spans, not for timers.
        info.Environment["OTEL_BSP_SCHEDULE_DELAY"] = "200";
        // meshctl finds the app binaries itself; a folder meant for the test's own lookups would hide them.
        info.Environment.Remove(MeshBinaries.BinDirVariable);
        info.Environment.Remove("OTEL_SERVICE_NAME");
        info.Environment.Remove("OTEL_TRACES_SAMPLER");
        _meshctl = new Process { StartInfo = info };
        _meshctl.OutputDataReceived += (_, e) => OnLine(e.Data);
        _meshctl.ErrorDataReceived += (_, e) => _output.Enqueue("stderr: " + e.Data);
        _meshctl.Start();
        _meshctl.BeginOutputReadLine();
        _meshctl.BeginErrorReadLine();
        try
        {
            await _running.Task.WaitAsync(StartDeadline);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"meshctl up did not get running:\n{string.Join('\n', _output)}");
        }

        await WaitUntilServingAsync();
    }

    /// <summary>GET / on the frontend app itself, as the trace's first hop, with a sampled traceparent of ours.</summary>
    public async Task<(HttpResponseMessage Response, string TraceId, string ParentSpanId)> CallFrontendAsync()
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var spanId = ActivitySpanId.CreateRandom().ToHexString();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{Pods["frontend"]}:8080/");
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{traceId}-{spanId}-01");
        var response = await Client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return (response, traceId, spanId);
    }

    public string Output => string.Join('\n', _output);

    /// <summary>The directory meshctl up watches: a test may add manifests.</summary>
    public string ManifestDirectory => _dir;

    public async Task DisposeAsync()
    {
        if (_meshctl is { HasExited: false })
        {
            await Terminate.GracefullyAsync(_meshctl);
        }

        _meshctl?.Dispose();
        Client.Dispose();
        await Receiver.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        if (PodLine().Match(line) is { Success: true } pod)
        {
            var name = pod.Groups["name"].Value;
            // ReplicaSet-style pod names: <deployment>-<hash>-<suffix>.
            var deployment = name[..name.LastIndexOf('-', name.LastIndexOf('-') - 1)];
            Pods[deployment] = IPAddress.Parse(pod.Groups["ip"].Value);
        }

        if (line.StartsWith("running;", StringComparison.Ordinal))
        {
            _running.TrySetResult();
        }
    }

    /// <summary>Until the frontend's call to posts (and posts' to comments) comes back answered.</summary>
    private async Task WaitUntilServingAsync()
    {
        var deadline = Stopwatch.StartNew();
        var last = string.Empty;
        while (deadline.Elapsed < StartDeadline)
        {
            try
            {
                var (response, _, _) = await CallFrontendAsync();
                last = await response.Content.ReadAsStringAsync();
                // Posts answers the frontend only after calling comments; asked directly it shows how that went.
                var posts = await Client.GetStringAsync(new Uri($"http://{Pods["posts-v1"]}:8080/"));
                if (response.IsSuccessStatusCode && last.Contains("\"ok\":true", StringComparison.Ordinal)
                    && posts.Contains("\"ok\":true", StringComparison.Ordinal))
                {
                    return;
                }

                last += " / posts: " + posts;
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }

            await Task.Delay(500);
        }

        throw new TimeoutException($"the blog never answered through posts and comments; last: {last}\n{Output}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"^(?<name>[a-z0-9-]+)\s+tracing\s+(?<ip>127\.\d+\.\d+\.\d+)\s")]
    private static partial Regex PodLine();

    private static string Manifests(Uri appEndpoint, int flakyPort) => $$"""
        apiVersion: v1
        kind: Namespace
        metadata: {name: {{Namespace}}}
        ---
        apiVersion: meshnet.io/v1alpha1
        kind: TrafficPolicy
        metadata: {name: posts, namespace: {{Namespace}}}
        spec:
          targetRef: {kind: Service, name: posts}
          loadBalancer: {type: RoundRobin}
          retries: {attempts: 2, on: [gateway-error]}
        {{Service("frontend")}}
        {{Service("posts")}}
        {{Service("comments")}}
        {{BlogApp("frontend", "frontend", "posts", appEndpoint)}}
        {{BlogApp("posts-v1", "posts", "comments", appEndpoint)}}
        {{BlogApp("comments", "comments", "", appEndpoint)}}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: posts-flaky, namespace: {{Namespace}}}
        spec:
          replicas: 1
          selector: {matchLabels: {app: posts, version: flaky} }
          template:
            metadata: {labels: {app: posts, version: flaky} }
            spec:
              containers:
              - name: flaky
                command: ["meshnet-testbackend", "--name", "flaky", "--listen", "0.0.0.0:{{flakyPort}}", "--fail-rate", "1", "--fail-status", "503"]
                ports: [{name: http, containerPort: {{flakyPort}}} ]
                readinessProbe:
                  httpGet: {path: /healthz, port: http}
        """;

    private static string Service(string name) => $$"""
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: {{name}}, namespace: {{Namespace}}}
        spec:
          selector: {app: {{name}}}
          ports: [{name: http, port: 80, targetPort: http} ]
        """;

    private static string BlogApp(string deployment, string role, string backends, Uri endpoint) => $$"""
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: {{deployment}}, namespace: {{Namespace}}}
        spec:
          replicas: 1
          selector: {matchLabels: {app: {{role}}, version: v1} }
          template:
            metadata: {labels: {app: {{role}}, version: v1} }
            spec:
              containers:
              - name: {{role}}
                command: ["blog-app"]
                ports: [{name: http, containerPort: 8080} ]
                env:
                - {name: BLOG_ROLE, value: {{role}}}
                - {name: BLOG_BACKENDS, value: "{{backends}}"}
                - {name: OTEL_EXPORTER_OTLP_ENDPOINT, value: "{{endpoint.ToString().TrimEnd('/')}}"}
                - {name: OTEL_EXPORTER_OTLP_PROTOCOL, value: http/protobuf}
                - name: POD_NAME
                  valueFrom: {fieldRef: {fieldPath: metadata.name} }
                - name: POD_NAMESPACE
                  valueFrom: {fieldRef: {fieldPath: metadata.namespace} }
                - name: POD_IP
                  valueFrom: {fieldRef: {fieldPath: status.podIP} }
                readinessProbe:
                  httpGet: {path: /healthz, port: http}
        """;
}
