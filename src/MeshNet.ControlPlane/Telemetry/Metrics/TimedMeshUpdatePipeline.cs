using MeshNet.ControlPlane.Tracking;

namespace MeshNet.ControlPlane.Telemetry.Metrics;

/// <summary>Times each flush that published something: the batch applied, Services re-resolved, every sidecar recompiled.</summary>
internal sealed class TimedMeshUpdatePipeline(IMeshUpdatePipeline inner, ControlPlaneMetrics metrics, TimeProvider time) : IMeshUpdatePipeline
{
    public bool Flush()
    {
        var started = time.GetTimestamp();
        var published = inner.Flush();
        if (published)
        {
            metrics.RecordCompile(time.GetElapsedTime(started));
        }

        return published;
    }
}
