using Google.Protobuf.WellKnownTypes;
using MeshNet.Protocol.V1;
using MeshNet.Proxy.Resilience;
using Microsoft.Extensions.Time.Testing;

namespace MeshNet.Proxy.Tests.Resilience;

public sealed class ResilienceUnitTests
{
    private static readonly OutlierPolicy ThreeStrikes = new(3, 0, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), 100);

    [Fact]
    public void Ejects_AfterConsecutive5xx_AndNotBefore()
    {
        var time = new FakeTimeProvider();
        var detector = new OutlierDetector(time);

        Assert.False(detector.Record("a", AttemptOutcome.ServerError, ThreeStrikes, 3));
        Assert.False(detector.Record("a", AttemptOutcome.ServerError, ThreeStrikes, 3));
        Assert.False(detector.IsEjected("a"));
        Assert.True(detector.Record("a", AttemptOutcome.ServerError, ThreeStrikes, 3));
        Assert.True(detector.IsEjected("a"));
        Assert.False(detector.IsEjected("b"));
    }

    [Fact]
    public void ASuccess_ResetsTheRun()
    {
        var detector = new OutlierDetector(new FakeTimeProvider());

        detector.Record("a", AttemptOutcome.ServerError, ThreeStrikes, 3);
        detector.Record("a", AttemptOutcome.ServerError, ThreeStrikes, 3);
        detector.Record("a", AttemptOutcome.Success, ThreeStrikes, 3);
        detector.Record("a", AttemptOutcome.ServerError, ThreeStrikes, 3);
        detector.Record("a", AttemptOutcome.ServerError, ThreeStrikes, 3);

        Assert.False(detector.IsEjected("a"));
    }

    [Fact]
    public void EjectionTime_DoublesOnRepeat_AndDecaysAfterHealthyIntervals()
    {
        var time = new FakeTimeProvider();
        var detector = new OutlierDetector(time);
        var policy = new OutlierPolicy(1, 0, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), 100);

        detector.Record("a", AttemptOutcome.ServerError, policy, 2);
        Assert.Equal(TimeSpan.FromSeconds(30), EjectedFor(time, detector, "a"));

        detector.Record("a", AttemptOutcome.ServerError, policy, 2);
        Assert.Equal(TimeSpan.FromSeconds(60), EjectedFor(time, detector, "a"));

        detector.Record("a", AttemptOutcome.ServerError, policy, 2);
        Assert.Equal(TimeSpan.FromSeconds(120), EjectedFor(time, detector, "a"));

        // Two healthy intervals forgive two doublings: back to 60 s.
        time.Advance(TimeSpan.FromSeconds(20));
        detector.Record("a", AttemptOutcome.ServerError, policy, 2);
        Assert.Equal(TimeSpan.FromSeconds(60), EjectedFor(time, detector, "a"));
    }

    [Fact]
    public void EjectionTime_IsCapped()
    {
        var policy = new OutlierPolicy(1, 0, TimeSpan.Zero, TimeSpan.FromSeconds(30), 100);

        Assert.Equal(TimeSpan.FromSeconds(240), policy.EjectionTime(3));
        Assert.Equal(TimeSpan.FromMinutes(5), policy.EjectionTime(4));
        Assert.Equal(TimeSpan.FromMinutes(5), policy.EjectionTime(40));
        Assert.Equal(TimeSpan.FromMinutes(10), (policy with { BaseEjectionTime = TimeSpan.FromMinutes(10) }).EjectionTime(3));
    }

    [Theory]
    [InlineData(3, 50, 1)]
    [InlineData(3, 100, 3)]
    [InlineData(4, 50, 2)]
    [InlineData(5, 10, 0)]
    [InlineData(1, 50, 0)]
    [InlineData(1, 100, 1)]
    public void MaxEjectionPercent_FollowsEnvoysRule(int destinations, uint maxPercent, int expectedEjected)
    {
        var detector = new OutlierDetector(new FakeTimeProvider());
        var policy = new OutlierPolicy(1, 0, TimeSpan.Zero, TimeSpan.FromSeconds(30), maxPercent);

        for (var i = 0; i < destinations; i++)
        {
            detector.Record($"d{i}", AttemptOutcome.ConnectFailure, policy, destinations);
        }

        Assert.Equal(expectedEjected, detector.Ejected().Count);
    }

    [Fact]
    public void GatewayErrors_CountSeparately_AndAPlain500BreaksTheirRun()
    {
        var detector = new OutlierDetector(new FakeTimeProvider());
        var policy = new OutlierPolicy(0, 2, TimeSpan.Zero, TimeSpan.FromSeconds(30), 100);

        detector.Record("a", AttemptOutcome.GatewayError, policy, 2);
        detector.Record("a", AttemptOutcome.ServerError, policy, 2);
        detector.Record("a", AttemptOutcome.Reset, policy, 2);
        Assert.False(detector.IsEjected("a"));
        detector.Record("a", AttemptOutcome.Timeout, policy, 2);
        Assert.True(detector.IsEjected("a"));
    }

    [Fact]
    public void Abandoned_Attempts_DoNotCount()
    {
        var detector = new OutlierDetector(new FakeTimeProvider());
        var policy = new OutlierPolicy(1, 1, TimeSpan.Zero, TimeSpan.FromSeconds(30), 100);

        detector.Record("a", AttemptOutcome.Abandoned, policy, 1);

        Assert.False(detector.IsEjected("a"));
    }

    [Fact]
    public void RetryBudget_AllowsPercentOfRequestsInTheWindow_AndForgetsAfterTenSeconds()
    {
        var time = new FakeTimeProvider();
        var budget = new RetryBudget(time);
        var policy = Policy(new RetryPolicy { Attempts = 1, BudgetPercent = 20 });

        for (var i = 0; i < 10; i++)
        {
            budget.RecordRequest();
        }

        Assert.True(budget.TryWithdraw(policy));
        Assert.True(budget.TryWithdraw(policy));
        Assert.False(budget.TryWithdraw(policy));

        // Still inside the 10 s window: the same requests, the same spent budget.
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(budget.TryWithdraw(policy));

        // The old second slid out: no requests, no budget, until new requests come.
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(budget.TryWithdraw(policy));
        for (var i = 0; i < 5; i++)
        {
            budget.RecordRequest();
        }

        Assert.True(budget.TryWithdraw(policy));
        Assert.Equal((5, 1), budget.Window());
    }

    [Fact]
    public void RetryBudget_MinPerSecond_IsAlwaysAllowed_EverySecond()
    {
        var time = new FakeTimeProvider();
        var budget = new RetryBudget(time);
        var policy = Policy(new RetryPolicy { Attempts = 1, BudgetPercent = 20, BudgetMinPerSecond = 2 });

        Assert.True(budget.TryWithdraw(policy));
        Assert.True(budget.TryWithdraw(policy));
        Assert.False(budget.TryWithdraw(policy));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(budget.TryWithdraw(policy));
    }

    [Fact]
    public void CircuitBreaker_AdmitsUpToTheLimit_AndFreesOnExit()
    {
        var breaker = new MeshNet.Proxy.Resilience.CircuitBreaker();
        var policy = Policy(new RetryPolicy(), new Protocol.V1.CircuitBreaker { MaxRequests = 2, MaxRetries = 1 });

        Assert.True(breaker.TryEnterRequest(policy));
        Assert.True(breaker.TryEnterRequest(policy));
        Assert.False(breaker.TryEnterRequest(policy));
        breaker.ExitRequest();
        Assert.True(breaker.TryEnterRequest(policy));
        Assert.True(breaker.TryEnterRetry(policy));
        Assert.False(breaker.TryEnterRetry(policy));
        Assert.Equal((2, 1), (breaker.ActiveRequests, breaker.ActiveRetries));
    }

    [Fact]
    public void Backoff_IsFullJitterUnderTheCappedExponential()
    {
        var baseDelay = TimeSpan.FromMilliseconds(25);
        var max = TimeSpan.FromMilliseconds(250);

        var first = Enumerable.Range(0, 500).Select(_ => Backoff.FullJitter(0, baseDelay, max)).ToArray();
        var late = Enumerable.Range(0, 500).Select(_ => Backoff.FullJitter(10, baseDelay, max)).ToArray();

        Assert.All(first, d => Assert.InRange(d, TimeSpan.Zero, baseDelay));
        Assert.All(late, d => Assert.InRange(d, TimeSpan.Zero, max));
        Assert.Contains(late, d => d > TimeSpan.FromMilliseconds(200));
        Assert.Equal(TimeSpan.Zero, Backoff.FullJitter(3, TimeSpan.Zero, max));
    }

    [Theory]
    [InlineData("5xx", 500, true)]
    [InlineData("5xx", 503, true)]
    [InlineData("5xx", 404, false)]
    [InlineData("gateway-error", 502, true)]
    [InlineData("gateway-error", 500, false)]
    [InlineData("retriable-status-codes", 409, true)]
    [InlineData("retriable-status-codes", 503, false)]
    [InlineData("connect-failure", 503, false)]
    public void RetriesStatuses_TheConditionNames(string condition, int status, bool retried)
    {
        var policy = Policy(new RetryPolicy { Attempts = 1, RetryOn = { condition }, StatusCodes = { 409 } });

        Assert.Equal(retried, policy.IsRetriableStatus(status));
    }

    [Theory]
    [InlineData("connect-failure", "ConnectFailure", true)]
    [InlineData("connect-failure", "Reset", false)]
    [InlineData("reset", "ConnectFailure", true)]
    [InlineData("reset", "Reset", true)]
    [InlineData("gateway-error", "Reset", true)]
    [InlineData("5xx", "ConnectFailure", true)]
    [InlineData("retriable-status-codes", "ConnectFailure", false)]
    [InlineData("retriable-status-codes", "Timeout", true)]
    public void RetriesFailuresWithoutAResponse_TheConditionNames(string condition, string outcome, bool retried)
    {
        var policy = Policy(new RetryPolicy { Attempts = 1, RetryOn = { condition } });

        Assert.Equal(retried, policy.IsRetriable(System.Enum.Parse<AttemptOutcome>(outcome)));
    }

    [Fact]
    public void Registry_KeepsStateAcrossUpdates_AndForgetsDepartedDestinations()
    {
        var time = new FakeTimeProvider();
        var registry = new ResilienceRegistry(time);
        var cluster = new Cluster { Name = "outbound|80||posts.blog.svc.cluster.local", OutlierDetection = new OutlierDetection { Consecutive5Xx = 1, BaseEjectionTime = Duration.FromTimeSpan(TimeSpan.FromSeconds(30)), MaxEjectionPercent = 100 } };
        cluster.Endpoints.Add(new Endpoint { Address = "10.0.0.1", Port = 80 });
        cluster.Endpoints.Add(new Endpoint { Address = "10.0.0.2", Port = 80 });
        var state = registry.For(cluster);
        state.Record("10.0.0.1:80", AttemptOutcome.ServerError);
        Assert.True(state.IsEjected("10.0.0.1:80"));

        var sameEndpoints = cluster.Clone();
        sameEndpoints.Retries = new RetryPolicy { Attempts = 2 };
        Assert.Same(state, registry.For(sameEndpoints));
        Assert.True(state.IsEjected("10.0.0.1:80"));
        Assert.Equal(2, state.Settings.Attempts);

        var without = sameEndpoints.Clone();
        without.Endpoints.RemoveAt(0);
        registry.For(without);
        Assert.False(state.IsEjected("10.0.0.1:80"));
        Assert.Equal(1, state.Stats.Ejections);
    }

    private static ResiliencePolicy Policy(RetryPolicy retries, Protocol.V1.CircuitBreaker? breaker = null) =>
        ResiliencePolicy.From(new Cluster { Retries = retries, CircuitBreaker = breaker ?? new Protocol.V1.CircuitBreaker() });

    private static TimeSpan EjectedFor(FakeTimeProvider time, OutlierDetector detector, string id)
    {
        var step = TimeSpan.FromSeconds(1);
        var elapsed = TimeSpan.Zero;
        while (detector.IsEjected(id))
        {
            time.Advance(step);
            elapsed += step;
        }

        return elapsed;
    }
}
