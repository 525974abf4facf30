using MeshNet.Protocol.V1;

namespace MeshNet.ControlPlane.Identity;

/// <summary>
/// The CA in force. A reload swaps in a whole new <see cref="CertificateAuthority"/>; each Certify call reads
/// <see cref="Current"/> once and signs, chains and bundles from that one instance. Replaced instances are not
/// disposed: a call may still be signing with one, and rotations are rare enough that the garbage collector can
/// have them.
/// </summary>
internal sealed class CertificateAuthorityProvider(CertificateAuthority initial, TimeProvider time) : IDisposable
{
    private readonly Lock _lock = new();
    private CertificateAuthority _current = initial;
    private Action<TrustBundle>? _bundleListeners;

    public CertificateAuthority Current => Volatile.Read(ref _current);

    /// <summary>When <see cref="Current"/> was loaded (start-up or the last successful reload).</summary>
    public DateTimeOffset LoadedAt { get; private set; } = time.GetUtcNow();

    /// <summary>Why the last reload was refused; null once a reload succeeds.</summary>
    public string? LastError { get; private set; }

    /// <summary>Calls <paramref name="listener"/> with the current bundle now and with every bundle a reload brings.</summary>
    public void SubscribeTrustBundle(Action<TrustBundle> listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        lock (_lock)
        {
            _bundleListeners += listener;
            listener(_current.PushedBundle);
        }
    }

    public void Replace(CertificateAuthority next)
    {
        ArgumentNullException.ThrowIfNull(next);
        lock (_lock)
        {
            Volatile.Write(ref _current, next);
            LoadedAt = time.GetUtcNow();
            LastError = null;
            // Under the lock, so two reloads cannot reach the listeners in the opposite order of their swaps.
            _bundleListeners?.Invoke(next.PushedBundle);
        }
    }

    public void Refused(string reason)
    {
        lock (_lock)
        {
            LastError = reason;
        }
    }

    public void Dispose() => Current.Dispose();
}
