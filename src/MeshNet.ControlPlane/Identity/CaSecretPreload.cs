namespace MeshNet.ControlPlane.Identity;

/// <summary>
/// Reads (or creates) the CA Secret asynchronously before the CA provider is first resolved. DI factories are
/// synchronous: loading inside one would block a thread-pool thread on the API server's answer, and two control planes
/// starting at once in one process (as tests do) could starve the pool that answer needs.
/// </summary>
internal sealed class CaSecretPreload(CaSecretSource source, TimeSpan timeout)
{
    public CaSecretSource Source => source;

    /// <summary>The CA read at start-up; null until <see cref="LoadAsync"/> has run.</summary>
    public CertificateAuthority? Loaded { get; private set; }

    /// <exception cref="InvalidDataException">The Secret is malformed, or the API server did not answer in time.</exception>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            Loaded = await source.LoadAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Not a shutdown: start-up must fail with the reason instead of exiting as if stopped.
            throw new InvalidDataException($"{source.Description}: no answer from the API server within {timeout.TotalSeconds:0} s", ex);
        }
    }
}
