namespace MeshNet.ControlPlane.Tracking;

/// <summary>
/// Push debouncing after Istio's PILOT_DEBOUNCE_AFTER / PILOT_DEBOUNCE_MAX: a burst of changes is pushed once
/// the mesh has been quiet for <see cref="Quiet"/>, but never later than <see cref="MaxDelay"/> after the first
/// change of the burst, so a steady trickle of changes cannot starve sidecars.
/// </summary>
internal sealed record DebounceOptions(TimeSpan Quiet, TimeSpan MaxDelay)
{
    /// <summary>100 ms quiet, 1 s at most.</summary>
    public static DebounceOptions Default { get; } = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1));
}
