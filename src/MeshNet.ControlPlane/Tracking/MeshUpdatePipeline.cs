using System.Collections.Immutable;
using MeshNet.ControlPlane.ClusterDns;
using MeshNet.ControlPlane.Discovery;
using MeshNet.Model;
using MeshNet.ControlPlane.Indexing;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Tracking;

/// <summary>
/// One flush: take the tracker's batch, apply it to the snapshot, re-resolve the affected Services and
/// publish the new index to the sidecar cache.
/// </summary>
internal sealed partial class MeshUpdatePipeline : IMeshUpdatePipeline
{
    private readonly MeshChangeTracker _tracker;
    private readonly ProxySnapshotCache _cache;
    private readonly ILogger<MeshUpdatePipeline> _logger;
    private readonly Lock _lock = new();
    private readonly ServiceAdmission _admission;
    private readonly ClusterDnsHost _dns;
    private ImmutableArray<ResourceError> _admissionErrors = [];
    private ImmutableArray<ResourceError> _trafficErrors = [];
    private ImmutableArray<ResourceError> _authorizationErrors = [];
    private readonly AcceptanceReporting? _acceptance;
    private MeshIndex _index = MeshIndex.Empty;

    public MeshUpdatePipeline(
        MeshChangeTracker tracker, ProxySnapshotCache cache, ServiceAdmission admission, ClusterDnsHost dns, ILogger<MeshUpdatePipeline> logger,
        AcceptanceReporting? acceptance = null)
    {
        _acceptance = acceptance;
        _dns = dns;
        _admission = admission;
        _tracker = tracker;
        _cache = cache;
        _logger = logger;
    }

    public bool Flush()
    {
        lock (_lock)
        {
            var batch = _tracker.TakeBatch();
            if (batch.IsEmpty)
            {
                return false;
            }

            foreach (var (origin, errors) in batch.ErrorsByOrigin)
            {
                if (errors.IsEmpty)
                {
                    LogErrorsCleared(origin);
                }

                foreach (var error in errors)
                {
                    LogResourceError(error.Origin, error.ToString());
                }
            }

            var changes = _admission.Admit(batch.Changes, out var admissionErrors);
            if (!admissionErrors.IsDefault && !admissionErrors.SequenceEqual(_admissionErrors))
            {
                // Reported through the tracker so /debug/errors shows them beside the sources' errors; that
                // schedules one more flush, which only logs them.
                _admissionErrors = admissionErrors;
                _tracker.ReportErrors(ServiceAdmission.Origin, admissionErrors);
            }

            if (changes.IsEmpty)
            {
                // Errors alone changed (often this pipeline's own, reported in the previous flush): a verdict may too.
                _acceptance?.Report(_index, _tracker.GetErrors);
                return false;
            }

            var snapshot = _index.Snapshot.Apply(changes);
            _index = _index.Update(snapshot, changes);
            _cache.Publish(_index);
            _dns.Update(_index);
            ReportTrafficErrors(_index.Traffic.Errors);
            ReportAuthorizationErrors(_index.Authorization.Errors);
            LogPublished(snapshot.Version, changes.Length, snapshot.Services.Count, snapshot.Workloads.Count);
            _acceptance?.Report(_index, _tracker.GetErrors);
            return true;
        }
    }

    /// <summary>
    /// TrafficPolicy and TrafficRoute errors go the same way as admission errors: through the tracker, so
    /// /debug/errors lists them beside the sources' errors. Only a changed list is reported.
    /// </summary>
    private void ReportTrafficErrors(ImmutableArray<ResourceError> errors)
    {
        if (errors.SequenceEqual(_trafficErrors))
        {
            return;
        }

        _trafficErrors = errors;
        _tracker.ReportErrors(TrafficValidator.Origin, errors);
    }

    /// <summary>AuthorizationPolicy and Namespace annotation errors, reported like traffic errors.</summary>
    private void ReportAuthorizationErrors(ImmutableArray<ResourceError> errors)
    {
        if (errors.SequenceEqual(_authorizationErrors))
        {
            return;
        }

        _authorizationErrors = errors;
        _tracker.ReportErrors(AuthorizationState.Origin, errors);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Resource error from {Origin}: {Error}")]
    private partial void LogResourceError(string origin, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Errors from {Origin} cleared")]
    private partial void LogErrorsCleared(string origin);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Mesh snapshot {Version}: {Changes} changes, {Services} services, {Workloads} workloads")]
    private partial void LogPublished(long version, int changes, int services, int workloads);
}
