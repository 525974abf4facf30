using System.Diagnostics.Metrics;

namespace MeshNet.Proxy.Identity;

/// <summary>
/// Time to expiry of the sidecar's certificate as a gauge, so an alert can fire while renewal keeps failing and there
/// is still time to fix the control plane. Nothing is reported while the sidecar has no certificate.
/// </summary>
internal sealed class CertificateMetrics
{
    public const string MeterName = "MeshNet.Proxy.Identity";
    public const string SecondsToExpiry = "meshnet.proxy.certificate.seconds_to_expiry";

    public CertificateMetrics(IMeterFactory meters, ICertificateSource certificates, TimeProvider time)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge(
            SecondsToExpiry,
            () => certificates.Current is { } current
                ? [new Measurement<double>((current.NotAfter - time.GetUtcNow()).TotalSeconds)]
                : Array.Empty<Measurement<double>>(),
            unit: "s",
            description: "Seconds until the sidecar's certificate expires");
    }
}
