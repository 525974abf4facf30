using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Threading.Channels;
using MeshNet.Proxy.Hosting;
using MeshNet.Proxy.Identity;
using MeshNet.Proxy.Tests.Tls;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace MeshNet.Proxy.Tests.Identity;

/// <summary>
/// Phase 2 of a trust-anchor rotation on the sidecar: a pushed signer other than the leaf's issuer brings the renewal
/// forward by a bounded jitter, and the old leaf serves until the new one arrives.
/// </summary>
public sealed class SignerRotationTests
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    [Theory]
    [InlineData(60, 0.0, 0)]
    [InlineData(60, 1.0, 6)]
    [InlineData(60, 0.5, 3)]
    [InlineData(3600, 1.0, 30)]
    [InlineData(3600, 0.5, 15)]
    public void ASignerChange_IsSpreadOverTenPercentOfTheLifetime_AtMostThirtySeconds(int lifetimeSeconds, double uniform, double delaySeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(delaySeconds), RenewalSchedule.SignerChangeDelay(TimeSpan.FromSeconds(lifetimeSeconds), uniform));

    [Theory]
    [InlineData(5, 3600, 15)]
    [InlineData(5, 40, 10)]
    [InlineData(5, 2, 1)]
    [InlineData(2, 3600, 2)]
    [InlineData(5, 0, 15)]
    public void Backoff_ShrinksAsTheCertificateNearsExpiry(int failures, int secondsLeft, int backoffSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(backoffSeconds), RenewalSchedule.Backoff(failures, TimeSpan.FromSeconds(secondsLeft)));

    [Fact]
    public async Task AOneMinuteLeaf_BackdatedAMinute_IsRenewedHalfWayThroughTheMinuteAfterItArrived()
    {
        using var ca = new TestCa();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
        var certifier = new QueuedCertifier();
        var statuses = Channel.CreateUnbounded<RenewalStatus>();
        using var renewer = new CertificateRenewer(new CertificateStore(Options()), certifier, time, NullLogger<CertificateRenewer>.Instance, () => 0.5);
        renewer.StatusChanged += s => statuses.Writer.TryWrite(s);
        await renewer.StartAsync(CancellationToken.None);

        var now = time.GetUtcNow();
        await certifier.SignAsync(ca, now - TimeSpan.FromMinutes(1), now + TimeSpan.FromMinutes(1));
        var status = await statuses.Reader.ReadAsync();

        Assert.Equal(now + TimeSpan.FromSeconds(30), status.NextAttemptAt);
        await renewer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task ANewSigner_BringsTheRenewalForward_AndTheOldLeafServesUntilTheNewOneArrives()
    {
        using var oldCa = new TestCa("Old Root");
        using var newCa = new TestCa("New Root");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
        var certifier = new QueuedCertifier();
        var store = new CertificateStore(Options());
        var statuses = Channel.CreateUnbounded<RenewalStatus>();
        using var renewer = new CertificateRenewer(store, certifier, time, NullLogger<CertificateRenewer>.Instance, () => 0.5);
        renewer.StatusChanged += s => statuses.Writer.TryWrite(s);
        await renewer.StartAsync(CancellationToken.None);
        await certifier.SignAsync(oldCa, time.GetUtcNow(), time.GetUtcNow() + Lifetime);
        var scheduled = await statuses.Reader.ReadAsync();
        var first = store.Current!;
        Assert.Equal(Sha256(oldCa), first.IssuerSha256);

        // The signer it already has: nothing moves.
        renewer.SignerPushed(Sha256(oldCa));
        Assert.Equal(scheduled, renewer.Status);

        // A new signer: due in 0.5 x min(10 % of an hour, 30 s) = 15 s, not at half-life.
        renewer.SignerPushed(Sha256(newCa));
        var forward = await statuses.Reader.ReadAsync();
        Assert.Equal(new RenewalStatus(0, time.GetUtcNow() + TimeSpan.FromSeconds(15), null), forward);
        Assert.True(forward.NextAttemptAt < scheduled.NextAttemptAt);
        time.Advance(TimeSpan.FromSeconds(14));
        Assert.Same(first, store.Current);

        time.Advance(TimeSpan.FromSeconds(1));
        await certifier.SignAsync(newCa, time.GetUtcNow(), time.GetUtcNow() + Lifetime);
        var renewed = await statuses.Reader.ReadAsync();

        Assert.Equal(Sha256(newCa), store.Current!.IssuerSha256);
        Assert.NotSame(first, store.Current);
        Assert.Equal(time.GetUtcNow() + (Lifetime * 0.5), renewed.NextAttemptAt);
        await renewer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task ASignerPushedWhileTheCallIsOut_IsHonouredOnceTheLeafArrives()
    {
        using var oldCa = new TestCa("Old Root");
        using var newCa = new TestCa("New Root");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
        var certifier = new QueuedCertifier();
        var store = new CertificateStore(Options());
        var statuses = Channel.CreateUnbounded<RenewalStatus>();
        using var renewer = new CertificateRenewer(store, certifier, time, NullLogger<CertificateRenewer>.Instance, () => 1.0);
        renewer.StatusChanged += s => statuses.Writer.TryWrite(s);
        await renewer.StartAsync(CancellationToken.None);

        // The push lands before the first leaf: nothing to compare yet. The leaf then comes from the old signer.
        renewer.SignerPushed(Sha256(newCa));
        await certifier.SignAsync(oldCa, time.GetUtcNow(), time.GetUtcNow() + Lifetime);

        var status = await statuses.Reader.ReadAsync();
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(30), status.NextAttemptAt);
        await renewer.StopAsync(CancellationToken.None);
    }

    private static string Sha256(TestCa ca) => Convert.ToHexStringLower(SHA256.HashData(ca.Root.RawData));

    internal static ProxyOptions Options() => new()
    {
        Namespace = "blog",
        ServiceAccount = "posts",
        JoinToken = "t",
        Labels = ImmutableDictionary<string, string>.Empty,
    };

    /// <summary>A certifier whose calls wait, in order, for the test to sign them.</summary>
    private sealed class QueuedCertifier : ICertifier
    {
        private readonly Channel<(byte[] Csr, TaskCompletionSource<IssuedCertificate> Answer)> _calls = Channel.CreateUnbounded<(byte[], TaskCompletionSource<IssuedCertificate>)>();

        public Task<IssuedCertificate> CertifyAsync(byte[] csrDer, CancellationToken cancellationToken)
        {
            var answer = new TaskCompletionSource<IssuedCertificate>(TaskCreationOptions.RunContinuationsAsynchronously);
            _calls.Writer.TryWrite((csrDer, answer));
            return answer.Task.WaitAsync(cancellationToken);
        }

        public async Task SignAsync(TestCa ca, DateTimeOffset notBefore, DateTimeOffset notAfter)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var (csr, answer) = await _calls.Reader.ReadAsync(timeout.Token);
            using var leaf = ca.SignCsr(csr, notBefore, notAfter);
            answer.SetResult(new IssuedCertificate([leaf.RawData], [ca.Root.RawData]));
        }
    }
}
