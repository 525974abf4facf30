using System.Text.Json;

namespace MeshNet.Proxy.Telemetry.AccessLog;

/// <summary>
/// One access log line: {"timestamp","traceId","direction","source":{"workload","namespace","identity","address"},
/// "destination":{"service","namespace","workload","identity","endpoint"},"method","authority","path","protocol",
/// "status","error","durationMs","bytesIn","bytesOut","attempts","tls"}. The path has no query string (queries carry
/// tokens too often to be logged by default); bytes are body bytes, in = from the client, out = to the client.
/// </summary>
internal sealed class AccessLogEntry
{
    public DateTimeOffset Timestamp { get; init; }

    public required string TraceId { get; init; }

    public required string Direction { get; init; }

    public required string SourceWorkload { get; init; }

    public required string SourceNamespace { get; init; }

    public required string SourceIdentity { get; init; }

    public required string SourceAddress { get; init; }

    public required string DestinationService { get; init; }

    public required string DestinationNamespace { get; init; }

    public required string DestinationWorkload { get; init; }

    public required string DestinationIdentity { get; init; }

    public required string DestinationEndpoint { get; init; }

    public required string Method { get; init; }

    public required string Authority { get; init; }

    public required string Path { get; init; }

    public required string Protocol { get; init; }

    public int Status { get; init; }

    public required string Error { get; init; }

    public double DurationMs { get; init; }

    public long BytesIn { get; init; }

    public long BytesOut { get; init; }

    public int Attempts { get; init; }

    public bool Tls { get; init; }

    public void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("timestamp", Timestamp.UtcDateTime);
        json.WriteString("traceId", TraceId);
        json.WriteString("direction", Direction);
        json.WriteStartObject("source");
        json.WriteString("workload", SourceWorkload);
        json.WriteString("namespace", SourceNamespace);
        json.WriteString("identity", SourceIdentity);
        json.WriteString("address", SourceAddress);
        json.WriteEndObject();
        json.WriteStartObject("destination");
        json.WriteString("service", DestinationService);
        json.WriteString("namespace", DestinationNamespace);
        json.WriteString("workload", DestinationWorkload);
        json.WriteString("identity", DestinationIdentity);
        json.WriteString("endpoint", DestinationEndpoint);
        json.WriteEndObject();
        json.WriteString("method", Method);
        json.WriteString("authority", Authority);
        json.WriteString("path", Path);
        json.WriteString("protocol", Protocol);
        json.WriteNumber("status", Status);
        json.WriteString("error", Error);
        json.WriteNumber("durationMs", Math.Round(DurationMs, 3));
        json.WriteNumber("bytesIn", BytesIn);
        json.WriteNumber("bytesOut", BytesOut);
        json.WriteNumber("attempts", Attempts);
        json.WriteBoolean("tls", Tls);
        json.WriteEndObject();
    }
}
