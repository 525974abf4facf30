using Microsoft.Extensions.Logging;

namespace MeshNet.Kubernetes.Tests;

internal sealed record LogEntry(LogLevel Level, string EventName, string Message, IReadOnlyDictionary<string, object?> Fields);

/// <summary>Keeps every log entry with its structured fields, so tests can assert on them.</summary>
internal sealed class RecordingLogger<T> : ILogger<T>
{
    private readonly object _gate = new();
    private readonly List<LogEntry> _entries = [];

    public IReadOnlyList<LogEntry> Entries
    {
        get
        {
            lock (_gate)
            {
                return _entries.ToList();
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var fields = state is IEnumerable<KeyValuePair<string, object?>> pairs
            ? pairs.ToDictionary(p => p.Key, p => p.Value)
            : [];
        lock (_gate)
        {
            _entries.Add(new LogEntry(logLevel, eventId.Name ?? string.Empty, formatter(state, exception), fields));
        }
    }
}
