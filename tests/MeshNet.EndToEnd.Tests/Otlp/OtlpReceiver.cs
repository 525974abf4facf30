using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Threading.Channels;
using Grpc.Core;
using MeshNet.EndToEnd.Tests.Otlp.Proto;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MeshNet.EndToEnd.Tests.Otlp;

/// <summary>
/// An OTLP trace receiver inside the test: the collector's TraceService/Export over gRPC (HTTP/2 cleartext) on one
/// port and POST /v1/traces (HTTP/protobuf) on another, both on 127.0.0.1:0, as Jaeger's OTLP receiver serves them.
/// Every received span is kept with its resource's service name and the protocol it came by.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private readonly Channel<bool> _arrivals = Channel.CreateUnbounded<bool>();

    private OtlpReceiver(WebApplication app) => _app = app;

    /// <summary>For OTEL_EXPORTER_OTLP_ENDPOINT with the grpc protocol.</summary>
    public Uri GrpcEndpoint { get; private set; } = null!;

    /// <summary>For OTEL_EXPORTER_OTLP_ENDPOINT with http/protobuf (exporters append /v1/traces).</summary>
    public Uri HttpEndpoint { get; private set; } = null!;

    public IReadOnlyCollection<ReceivedSpan> Spans => _spans;

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<TraceServiceImpl>();
        var ports = new KestrelPorts();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, l =>
            {
                l.Protocols = HttpProtocols.Http2;
                ports.Grpc = l;
            });
            kestrel.Listen(IPAddress.Loopback, 0, l =>
            {
                l.Protocols = HttpProtocols.Http1;
                ports.Http = l;
            });
        });
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.Services.GetRequiredService<TraceServiceImpl>().Receiver = receiver;
        app.MapGrpcService<TraceServiceImpl>();
        app.MapPost("/v1/traces", receiver.ReceiveHttpAsync);
        await app.StartAsync();
        receiver.GrpcEndpoint = new Uri($"http://{ports.Grpc!.IPEndPoint}");
        receiver.HttpEndpoint = new Uri($"http://{ports.Http!.IPEndPoint}");
        return receiver;
    }

    /// <summary>
    /// The spans of one trace once <paramref name="complete"/> holds for them (checked at every export); fails with
    /// what did arrive after <paramref name="timeout"/>.
    /// </summary>
    public async Task<List<ReceivedSpan>> WaitForTraceAsync(string traceId, Func<IReadOnlyList<ReceivedSpan>, bool> complete, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            var spans = _spans.Where(s => s.TraceId == traceId).ToList();
            if (complete(spans))
            {
                return spans;
            }

            try
            {
                await _arrivals.Reader.ReadAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"trace {traceId} incomplete after {timeout.TotalSeconds} s; received:\n{Describe(spans)}\nall services: {string.Join(", ", _spans.Select(s => s.Service).Distinct())}");
            }
        }
    }

    /// <summary>Waits until <paramref name="find"/> finds something in everything received so far (checked at every export).</summary>
    public async Task<T> WaitForAsync<T>(Func<IReadOnlyList<ReceivedSpan>, T?> find, TimeSpan timeout, string what)
        where T : class
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            if (find(_spans.ToList()) is { } found)
            {
                return found;
            }

            try
            {
                await _arrivals.Reader.ReadAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"no {what} after {timeout.TotalSeconds} s; received {_spans.Count} spans from: {string.Join(", ", _spans.Select(s => s.Service).Distinct())}");
            }
        }
    }

    public static string Describe(IEnumerable<ReceivedSpan> spans) =>
        string.Join('\n', spans.Select(s => $"  {s.Service} {s.Kind} '{s.Name}' span={s.SpanId} parent={s.ParentSpanId} via {s.Protocol}"));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    internal void Accept(ExportTraceServiceRequest request, string protocol)
    {
        foreach (var resourceSpans in request.ResourceSpans)
        {
            var service = resourceSpans.Resource?.Attributes.FirstOrDefault(a => a.Key == "service.name")?.Value?.StringValue ?? string.Empty;
            foreach (var span in resourceSpans.ScopeSpans.SelectMany(s => s.Spans))
            {
                _spans.Enqueue(ReceivedSpan.From(service, span, protocol));
            }
        }

        _arrivals.Writer.TryWrite(true);
    }

    private async Task ReceiveHttpAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        Accept(ExportTraceServiceRequest.Parser.ParseFrom(body.ToArray()), "http/protobuf");
        context.Response.ContentType = "application/x-protobuf";
        var reply = new ExportTraceServiceResponse();
        await context.Response.Body.WriteAsync(Google.Protobuf.MessageExtensions.ToByteArray(reply));
    }

    private sealed class KestrelPorts
    {
        public ListenOptions? Grpc { get; set; }

        public ListenOptions? Http { get; set; }
    }

    /// <summary>The gRPC side; a singleton so the receiver can hand itself over after the app is built.</summary>
    internal sealed class TraceServiceImpl : TraceService.TraceServiceBase
    {
        public OtlpReceiver? Receiver { get; set; }

        public override Task<ExportTraceServiceResponse> Export(ExportTraceServiceRequest request, ServerCallContext context)
        {
            Receiver!.Accept(request, "grpc");
            return Task.FromResult(new ExportTraceServiceResponse());
        }
    }
}

/// <summary>One span as the tests read it: ids in lower-case hex ("" for no parent), attributes as strings.</summary>
public sealed record ReceivedSpan(
    string Service,
    string TraceId,
    string SpanId,
    string ParentSpanId,
    string Name,
    string Kind,
    IReadOnlyDictionary<string, string> Attributes,
    bool IsError,
    string Protocol)
{
    public string? this[string attribute] => Attributes.TryGetValue(attribute, out var value) ? value : null;

    internal static ReceivedSpan From(string service, Span span, string protocol) => new(
        service,
        Convert.ToHexStringLower(span.TraceId.Span),
        Convert.ToHexStringLower(span.SpanId.Span),
        Convert.ToHexStringLower(span.ParentSpanId.Span),
        span.Name,
        span.Kind switch
        {
            Span.Types.SpanKind.Server => "server",
            Span.Types.SpanKind.Client => "client",
            Span.Types.SpanKind.Internal => "internal",
            Span.Types.SpanKind.Producer => "producer",
            Span.Types.SpanKind.Consumer => "consumer",
            _ => "unspecified",
        },
        span.Attributes.ToDictionary(a => a.Key, a => Text(a.Value)),
        span.Status?.Code == Proto.Status.Types.StatusCode.Error,
        protocol);

    private static string Text(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.ArrayValue => string.Join(',', value.ArrayValue.Values.Select(Text)),
        _ => string.Empty,
    };
}
