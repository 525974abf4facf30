using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using MeshNet.Proxy.Telemetry.Metrics;
using MeshNet.Proxy.Tls;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace MeshNet.Proxy.Telemetry.AccessLog;

/// <summary>Where access log lines go: the sidecar's stdout, or a test's stream.</summary>
internal sealed class AccessLogOutput(Stream stream)
{
    public Stream Stream { get; } = stream;

    public static AccessLogOutput StandardOutput() => new(Console.OpenStandardOutput());
}

/// <summary>
/// One JSON object per request, one per line, on stdout. The request path only queues an entry; a background loop
/// formats and writes. When the queue is full (stdout blocked or too slow) the entry is dropped and counted in
/// <c>meshnet_access_log_dropped_total</c>: a log must never hold a request up.
/// </summary>
internal sealed class AccessLogWriter : BackgroundService
{
    /// <summary>About a second of entries at several thousand requests per second.</summary>
    public const int Capacity = 8192;

    private readonly Channel<AccessLogEntry> _queue = Channel.CreateBounded<AccessLogEntry>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly ProxyMetrics _metrics;
    private readonly AccessLogOutput _output;
    private readonly TimeProvider _time;

    public AccessLogWriter(ProxyMetrics metrics, AccessLogOutput output, TimeProvider time)
    {
        _metrics = metrics;
        _output = output;
        _time = time;
    }

    public void Write(HttpContext context, in RequestOutcome outcome, in RequestSeriesKey labels, double seconds, string? ownIdentity)
    {
        var request = context.Request;
        var scope = AccessLogScope.Of(context);
        var inbound = outcome.Direction == TrafficDirection.Inbound;
        var peer = inbound ? MeshPeer.From(context)?.Identity?.ToString() : null;
        var (service, serviceNamespace) = ProxyMetrics.SplitService(outcome.DestinationService);
        var entry = new AccessLogEntry
        {
            Timestamp = _time.GetUtcNow(),
            TraceId = Activity.Current is { } activity ? activity.TraceId.ToHexString() : string.Empty,
            Direction = MetricNames.Of(outcome.Direction),
            SourceWorkload = labels.SourceWorkload,
            SourceNamespace = labels.SourceNamespace,
            SourceIdentity = inbound ? peer ?? string.Empty : ownIdentity ?? string.Empty,
            SourceAddress = inbound ? context.Connection.RemoteIpAddress?.ToString() ?? string.Empty : string.Empty,
            DestinationService = inbound ? string.Empty : service,
            DestinationNamespace = inbound ? labels.DestinationNamespace : serviceNamespace,
            DestinationWorkload = labels.DestinationWorkload,
            DestinationIdentity = inbound ? ownIdentity ?? string.Empty : outcome.Destination?.Identity ?? string.Empty,
            DestinationEndpoint = outcome.Destination?.Id ?? string.Empty,
            Method = request.Method,
            Authority = request.Host.Value ?? string.Empty,
            Path = request.Path.Value ?? string.Empty,
            Protocol = request.Protocol,
            Status = labels.Code,
            Error = labels.Error,
            DurationMs = seconds * 1000,
            BytesIn = scope?.BytesIn ?? 0,
            BytesOut = scope?.BytesOut ?? 0,
            Attempts = outcome.Attempts,
            Tls = labels.Tls,
        };
        if (!_queue.Writer.TryWrite(entry))
        {
            _metrics.AccessLogDropped.Inc();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        await using var json = new Utf8JsonWriter(buffer);
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                // Everything queued so far goes out in one write: one syscall per batch, not per line.
                while (reader.TryRead(out var entry))
                {
                    entry.WriteTo(json);
                    json.Flush();
                    json.Reset();
                    buffer.Write("\n"u8);
                }

                await _output.Stream.WriteAsync(buffer.WrittenMemory, stoppingToken).ConfigureAwait(false);
                await _output.Stream.FlushAsync(stoppingToken).ConfigureAwait(false);
                buffer.ResetWrittenCount();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
