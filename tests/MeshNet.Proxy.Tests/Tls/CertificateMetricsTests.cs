using System.Diagnostics.Metrics;
using MeshNet.Protocol.V1;
using MeshNet.Proxy.Identity;

namespace MeshNet.Proxy.Tests.Tls;

public sealed class CertificateMetricsTests
{
    [Fact]
    public async Task Reports_SecondsToExpiry_OfTheCurrentCertificate()
    {
        using var ca = new TestCa();
        await using var app = await PeerEchoApp.StartAsync();
        await using var sidecar = await MtlsSidecar.StartAsync(new TestCaCertifier(ca, TimeSpan.FromHours(1)), app.Port, MtlsMode.Permissive);
        var measured = new List<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == CertificateMetrics.MeterName && instrument.Name == CertificateMetrics.SecondsToExpiry)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, _, _) => measured.Add(value));
        listener.Start();

        listener.RecordObservableInstruments();

        // More than one sidecar may run in this process: each reports its own certificate.
        Assert.Contains(measured, value => value is > 3500 and <= 3601);
    }
}
