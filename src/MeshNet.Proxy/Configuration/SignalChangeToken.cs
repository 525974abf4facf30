using Microsoft.Extensions.Primitives;

namespace MeshNet.Proxy.Configuration;

/// <summary>
/// A change token signalled exactly once. Unlike a CancellationTokenSource-backed token it owns nothing that needs
/// disposing, so a superseded config can simply be dropped. A callback registered after the signal runs at once.
/// </summary>
internal sealed class SignalChangeToken : IChangeToken
{
    private readonly Lock _gate = new();
    private List<(Action<object?> Callback, object? State)>? _callbacks = [];

    public bool HasChanged
    {
        get
        {
            lock (_gate)
            {
                return _callbacks is null;
            }
        }
    }

    public bool ActiveChangeCallbacks => true;

    public IDisposable RegisterChangeCallback(Action<object?> callback, object? state)
    {
        lock (_gate)
        {
            if (_callbacks is not null)
            {
                var registration = (callback, state);
                _callbacks.Add(registration);
                return new Registration(this, registration);
            }
        }

        callback(state);
        return Registration.None;
    }

    public void Signal()
    {
        List<(Action<object?> Callback, object? State)>? callbacks;
        lock (_gate)
        {
            callbacks = _callbacks;
            _callbacks = null;
        }

        foreach (var (callback, state) in callbacks ?? [])
        {
            callback(state);
        }
    }

    private void Unregister((Action<object?>, object?) registration)
    {
        lock (_gate)
        {
            _callbacks?.Remove(registration);
        }
    }

    private sealed class Registration(SignalChangeToken? token, (Action<object?>, object?) registration) : IDisposable
    {
        public static Registration None { get; } = new(null, default);

        public void Dispose() => token?.Unregister(registration);
    }
}
