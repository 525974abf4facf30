using System.Collections.Immutable;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using MeshNet.Proxy.Hosting;
using MeshNet.Proxy.Identity;
using MeshNet.Proxy.Tests.Tls;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace MeshNet.Proxy.Tests.Identity;

/// <summary>The renewal loop stepped with a fake clock and a certifier the test answers call by call.</summary>
public sealed class CertificateRenewerTests
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    [Theory]
    [InlineData(0.0, 0.4)]
    [InlineData(0.5, 0.5)]
    [InlineData(0.75, 0.55)]
    [InlineData(1.0, 0.6)]
    public void RenewsAtHalfTheLifetime_PlusOrMinusTenPercent(double uniform, double fraction)
    {
        var notBefore = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        var at = RenewalSchedule.RenewAt(notBefore, notBefore + TimeSpan.FromHours(10), uniform);

        Assert.Equal(notBefore + (TimeSpan.FromHours(10) * fraction), at);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(4, 8)]
    [InlineData(5, 15)]
    [InlineData(40, 15)]
    public void BacksOffExponentially_CappedAt15Seconds(int failures, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), RenewalSchedule.Backoff(failures));

    [Fact]
    public async Task Renews_AtTheScheduledTime_BacksOffWhileTheSignerIsDown_AndKeepsTheOldCertificateMeanwhile()
    {
        using var ca = new TestCa();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var signer = new SteppedCertifier();
        var store = new CertificateStore(Options());
        var statuses = Channel.CreateUnbounded<RenewalStatus>();
        using var renewer = new CertificateRenewer(store, signer, time, NullLogger<CertificateRenewer>.Instance, () => 0.75);
        renewer.StatusChanged += s => statuses.Writer.TryWrite(s);
        await renewer.StartAsync(CancellationToken.None);

        // First certificate: issued now, renewal due at 55 % of its lifetime (uniform 0.75 -> +5 %), counted from its
        // arrival (certificate times are whole seconds, the clock is not).
        var issuedAt = time.GetUtcNow();
        var firstSerial = await signer.SignAsync(ca, issuedAt, Lifetime);
        var status = await statuses.Reader.ReadAsync();
        var first = store.Current;
        Assert.Equal(firstSerial, first?.Leaf.SerialNumber);
        Assert.Equal(new RenewalStatus(0, issuedAt + ((first!.NotAfter - issuedAt) * 0.55), null), status);

        // Due: the next call comes exactly then; the signer is unreachable, three times.
        time.Advance(status.NextAttemptAt - time.GetUtcNow());
        for (var failures = 1; failures <= 3; failures++)
        {
            await signer.FailAsync(new HttpRequestException("connection refused"));
            status = await statuses.Reader.ReadAsync();
            Assert.Equal(new RenewalStatus(failures, time.GetUtcNow() + RenewalSchedule.Backoff(failures), "connection refused"), status);
            Assert.Same(first, store.Current);
            time.Advance(RenewalSchedule.Backoff(failures));
        }

        // Back: the fourth attempt succeeds and the new certificate replaces the old one.
        var secondSerial = await signer.SignAsync(ca, time.GetUtcNow(), Lifetime);
        status = await statuses.Reader.ReadAsync();
        Assert.Equal(secondSerial, store.Current?.Leaf.SerialNumber);
        Assert.NotEqual(firstSerial, secondSerial);
        Assert.Equal(0, status.Failures);
        await renewer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Refuses_AnIssuedCertificateForAnotherIdentity()
    {
        using var ca = new TestCa();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var signer = new SteppedCertifier();
        var store = new CertificateStore(Options());
        var statuses = Channel.CreateUnbounded<RenewalStatus>();
        using var renewer = new CertificateRenewer(store, signer, time, NullLogger<CertificateRenewer>.Instance, () => 0.5);
        renewer.StatusChanged += s => statuses.Writer.TryWrite(s);
        await renewer.StartAsync(CancellationToken.None);

        await signer.RespondAsync(_ =>
        {
            using var other = ca.Issue("spiffe://cluster.local/ns/blog/sa/admin");
            return new IssuedCertificate([other.RawData], [ca.Root.RawData]);
        });
        var status = await statuses.Reader.ReadAsync();

        Assert.Null(store.Current);
        Assert.Equal("the issued certificate names [spiffe://cluster.local/ns/blog/sa/admin], not spiffe://cluster.local/ns/blog/sa/posts", status.LastError);
        await renewer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public void BuildsACsr_WithOnlyTheSpiffeIdAsUriSan_OnAP256Key()
    {
        using var key = CsrBuilder.NewKey();

        var der = CsrBuilder.Build(key, new SpiffeId("cluster.local", "blog", "posts"));

        var csr = System.Security.Cryptography.X509Certificates.CertificateRequest.LoadSigningRequest(
            der,
            System.Security.Cryptography.HashAlgorithmName.SHA256,
            System.Security.Cryptography.X509Certificates.CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        Assert.Equal(string.Empty, csr.SubjectName.Name);
        var san = Assert.Single(csr.CertificateExtensions);
        Assert.True(san.Critical);
        using var ca = new TestCa();
        using var signed = ca.SignCsr(der, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddHours(1));
        Assert.Equal(["spiffe://cluster.local/ns/blog/sa/posts"], SpiffeId.UriNames(signed));
        Assert.Equal(256, signed.GetECDsaPublicKey()!.KeySize);
    }

    [Theory]
    [InlineData("spiffe://cluster.local/ns/blog/sa/posts", true)]
    [InlineData("spiffe://Cluster.local/ns/blog/sa/posts", false)]
    [InlineData("spiffe://cluster.local/ns/blog/sa/posts/extra", false)]
    [InlineData("spiffe://cluster.local/ns/blog/sa/", false)]
    [InlineData("spiffe://cluster.local/ns/../sa/posts", false)]
    [InlineData("spiffe://cluster.local/ns/blog%2Fx/sa/posts", false)]
    [InlineData("https://cluster.local/ns/blog/sa/posts", false)]
    [InlineData("spiffe://cluster.local/sa/posts/ns/blog", false)]
    public void Parses_OnlyTheMeshsSpiffeIdLayout(string text, bool valid) =>
        Assert.Equal(valid, SpiffeId.TryParse(text, out _));

    private static ProxyOptions Options() => new()
    {
        Namespace = "blog",
        ServiceAccount = "posts",
        JoinToken = "t",
        Labels = ImmutableDictionary<string, string>.Empty,
    };

    /// <summary>A certifier whose every call waits for the test to answer it.</summary>
    private sealed class SteppedCertifier : ICertifier
    {
        private readonly Channel<(byte[] Csr, TaskCompletionSource<IssuedCertificate> Answer)> _calls = Channel.CreateUnbounded<(byte[], TaskCompletionSource<IssuedCertificate>)>();

        public Task<IssuedCertificate> CertifyAsync(byte[] csrDer, CancellationToken cancellationToken)
        {
            var answer = new TaskCompletionSource<IssuedCertificate>(TaskCreationOptions.RunContinuationsAsynchronously);
            _calls.Writer.TryWrite((csrDer, answer));
            return answer.Task.WaitAsync(cancellationToken);
        }

        public async Task RespondAsync(Func<byte[], IssuedCertificate> respond)
        {
            var (csr, answer) = await NextCallAsync();
            answer.SetResult(respond(csr));
        }

        /// <summary>Signs the next CSR with the test CA; returns the leaf's serial number.</summary>
        public async Task<string> SignAsync(TestCa ca, DateTimeOffset notBefore, TimeSpan lifetime)
        {
            var (csr, answer) = await NextCallAsync();
            using var leaf = ca.SignCsr(csr, notBefore, notBefore + lifetime);
            answer.SetResult(new IssuedCertificate([leaf.RawData], [ca.Root.RawData]));
            return leaf.SerialNumber;
        }

        public async Task FailAsync(Exception failure)
        {
            var (_, answer) = await NextCallAsync();
            answer.SetException(failure);
        }

        private async Task<(byte[] Csr, TaskCompletionSource<IssuedCertificate> Answer)> NextCallAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            return await _calls.Reader.ReadAsync(timeout.Token);
        }
    }
}
