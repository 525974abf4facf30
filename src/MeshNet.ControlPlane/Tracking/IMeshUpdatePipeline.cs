namespace MeshNet.ControlPlane.Tracking;

/// <summary>Applies everything the tracker recorded since the last flush; called by one loop at a time.</summary>
internal interface IMeshUpdatePipeline
{
    /// <summary>Returns true when the batch was not empty and a new snapshot was published.</summary>
    bool Flush();
}
