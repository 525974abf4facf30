using System.Diagnostics;
using System.Globalization;
using MeshNet.Proxy.Configuration;
using MeshNet.Proxy.Resilience;
using MeshNet.Proxy.Telemetry;
using MeshNet.Proxy.Telemetry.Tracing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace MeshNet.Proxy.Forwarding;

/// <summary>
/// One outbound request to one cluster under the cluster's resilience policy: circuit-breaker admission, then
/// attempts through YARP's forwarder, each to a destination the balancer picks away from earlier attempts, with
/// per-try and whole-request timeouts, retries within the budget and full-jitter backoff, every outcome fed to
/// outlier detection and the cluster's stats. Nothing here blocks or queues: a refusal is an immediate response.
/// </summary>
/// <remarks>
/// A retry is only ever decided while nothing has been sent to the client. For a failure without a response that
/// is checked after the attempt; for a retriable status, <see cref="OutboundTransformer"/> asks
/// <see cref="HoldBackForRetry"/> before YARP copies anything, and a yes makes YARP drop the response.
/// </remarks>
internal sealed partial class OutboundExchange
{
    private readonly HttpContext _context;
    private readonly ClusterEntry _cluster;
    private readonly ClusterResilience _resilience;
    private readonly ResiliencePolicy _policy;
    private readonly IHttpForwarder _forwarder;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly AttemptTimerPool _timers;
    private readonly RequestTelemetry _telemetry;
    private readonly Activity? _span;
    private readonly string _service;
    private readonly long _start;

    private ReplayableBody? _body;
    private bool _methodRetriable;
    private int _attempt;
    private int? _heldBackStatus;

    // The running attempt's timer is what is left of the request timeout (shorter than any per-try timeout): when it
    // fires, the request timed out, even if the timer fired a hair before the deadline RequestExpired checks.
    private bool _attemptEndsWithRequest;
    private OutboundDestination? _destination;
    private int _sent;

    /// <param name="service">The routed Service ("namespace/name"), for telemetry.</param>
    /// <param name="span">The request's span when it is traced, else null: each attempt gets a child span.</param>
    public OutboundExchange(HttpContext context, ClusterEntry cluster, string service, IHttpForwarder forwarder, RequestTelemetry telemetry, TimeProvider time, ILogger logger, AttemptTimerPool timers, Activity? span = null)
    {
        _span = span;
        _context = context;
        _cluster = cluster;
        _resilience = cluster.Resilience;
        // One policy for the whole exchange, even if a config update lands halfway.
        _policy = _resilience.Settings;
        _forwarder = forwarder;
        _time = time;
        _logger = logger;
        _timers = timers;
        _telemetry = telemetry;
        _service = service;
        // The request timeout and the duration metric both count from here.
        _start = telemetry.Start(context);
    }

    /// <summary>Set when a forwarded response is a retriable failure the budget did not let us retry.</summary>
    public string? ResponseLabel { get; private set; }

    private enum RetryVerdict
    {
        Admitted,
        NotRetriable,
        BudgetExhausted,
        Overflow,
    }

    /// <remarks>
    /// One state machine for the whole exchange (admission, body, attempts): every await layer is a continuation
    /// hop per request, and the common case is one attempt that succeeds.
    /// </remarks>
    public async Task RunAsync()
    {
        var stats = _resilience.Stats;
        stats.CountRequest();
        if (!_resilience.Breaker.TryEnterRequest(_policy))
        {
            stats.CountOverflow();
            LogOverloaded(_logger, _cluster.Name, _resilience.Breaker.ActiveRequests);
            OutboundHandler.Reject(
                _context,
                StatusCodes.Status503ServiceUnavailable,
                MeshHeaders.Overloaded,
                string.Create(CultureInfo.InvariantCulture, $"circuit breaker of {_cluster.Name} refused it with {_resilience.Breaker.ActiveRequests} requests in flight"));
            Completed();
            return;
        }

        try
        {
            _resilience.Budget.RecordRequest();
            if (_policy.Attempts > 0)
            {
                // An idempotent method may be sent again whole; any method may be retried after a connect failure,
                // which sent nothing, so only idempotent ones pay for buffering.
                _methodRetriable = IsRetriableMethod(_context.Request.Method);
                var bufferBytes = _methodRetriable ? _policy.MaxReplayBodyBytes : 0;
                _body = await ReplayableBody.PrepareAsync(_context, bufferBytes, _context.RequestAborted).ConfigureAwait(false);
                if (_methodRetriable && _policy.RetriesOnStatus)
                {
                    _context.Features.Set(this);
                }
            }

            var requestConfig = RequestVersions.For(_context.Request, _policy.IdleTimeout);
            List<OutboundDestination>? tried = null;
            for (; ; _attempt++)
            {
                // A retry holds a max_retries slot from its admission to the end of its attempt.
                var isRetry = _attempt > 0;
                try
                {
                    if (_cluster.Pick(_context, tried) is not { } lease)
                    {
                        NoHealthyEndpoints();
                        return;
                    }

                    var destination = _destination = lease.Destination;
                    _sent++;
                    stats.CountAttempt();
                    _heldBackStatus = null;
                    var timer = AttemptTimer();
                    ForwarderError error;
                    AttemptOutcome outcome;
                    bool timedOut;
                    var attemptSpan = _span is null ? null : ProxyTracer.StartAttempt(_span, _context, destination, _attempt);
                    try
                    {
                        error = await _forwarder.SendAsync(
                            _context,
                            destination.Prefix,
                            _cluster.State.Model.HttpClient,
                            requestConfig,
                            destination.Transformer,
                            timer?.Token ?? CancellationToken.None).ConfigureAwait(false);
                        (outcome, timedOut) = Classify(error, timer);
                    }
                    catch (Exception ex)
                    {
                        // Every picked lease is completed exactly once, or the balancer's in-flight count drifts.
                        lease.Complete(false);
                        ProxyTracer.StopAttempt(attemptSpan, null, ex.GetType().FullName, null);
                        throw;
                    }
                    finally
                    {
                        if (timer is not null)
                        {
                            _timers.Return(timer);
                        }
                    }

                    TraceAttempt(attemptSpan, error, outcome);
                    lease.Complete(outcome.IsSuccess());
                    _resilience.Record(destination.Id, outcome);

                    // The common case, a response nobody held back, needs no retry decision.
                    if ((_heldBackStatus is null && error == ForwarderError.None)
                        || !await ShouldRetryAsync(destination, error, outcome, timedOut).ConfigureAwait(false))
                    {
                        return;
                    }

                    (tried ??= []).Add(destination);
                }
                finally
                {
                    if (isRetry)
                    {
                        _resilience.Breaker.ExitRetry();
                    }
                }
            }
        }
        finally
        {
            _resilience.Breaker.ExitRequest();
            Completed();
        }
    }

    /// <summary>The exchange's one report to telemetry, whichever way it ended.</summary>
    private void Completed() => _telemetry.Complete(_context, new RequestOutcome(TrafficDirection.Outbound, _start, _service, _destination, _sent));

    /// <summary>Ends an attempt's span with the upstream's status (also one held back for a retry) or the failure.</summary>
    private void TraceAttempt(Activity? span, ForwarderError error, AttemptOutcome outcome)
    {
        if (span is null)
        {
            return;
        }

        var status = _heldBackStatus ?? (error == ForwarderError.None || _context.Response.HasStarted ? _context.Response.StatusCode : null);
        var meshError = _heldBackStatus is null && _context.Response.Headers[MeshHeaders.Error] is { Count: > 0 } reason ? reason.ToString() : null;
        ProxyTracer.StopAttempt(span, status, error == ForwarderError.None ? null : outcome.ToString(), meshError);
    }

    /// <summary>Asked by the transformer for every upstream response: true to drop it and retry.</summary>
    public bool HoldBackForRetry(int status)
    {
        if (!_policy.IsRetriableStatus(status))
        {
            return false;
        }

        switch (AdmitRetry())
        {
            case RetryVerdict.Admitted:
                _heldBackStatus = status;
                return true;
            case RetryVerdict.BudgetExhausted:
                ResponseLabel = MeshHeaders.RetryBudgetExhausted;
                return false;
            default:
                return false;
        }
    }

    /// <returns>What the attempt says about the destination, and whether our own timer ended it.</returns>
    private (AttemptOutcome Outcome, bool TimedOut) Classify(ForwarderError error, CancellationTokenSource? timer)
    {
        if (error == ForwarderError.None)
        {
            return (AttemptOutcomes.ForStatus(_heldBackStatus ?? _context.Response.StatusCode), false);
        }

        // Our timer first: a timeout after the response started makes YARP abort the client, which also
        // signals RequestAborted.
        if (timer is { IsCancellationRequested: true })
        {
            // The whole request ran out: not the destination's fault alone, so it does not count against it.
            return (RequestExpired ? AttemptOutcome.Abandoned : AttemptOutcome.Timeout, true);
        }

        if (_context.RequestAborted.IsCancellationRequested)
        {
            return (AttemptOutcome.Abandoned, false);
        }

        return (ForwarderErrors.Classify(error, _context.Features.Get<IForwarderErrorFeature>()?.Exception), false);
    }

    /// <summary>Finishes the response unless the attempt's failure is retried; true to go round again.</summary>
    private async Task<bool> ShouldRetryAsync(OutboundDestination destination, ForwarderError error, AttemptOutcome outcome, bool timedOut)
    {
        var stats = _resilience.Stats;
        if (_heldBackStatus is { } status)
        {
            // Already admitted by HoldBackForRetry; the response was dropped unsent.
            LogRetryingStatus(_logger, _cluster.Name, destination.Id, status, _attempt + 1);
            return await PrepareRetryAsync().ConfigureAwait(false);
        }

        if (error == ForwarderError.None)
        {
            return false;
        }

        if (timedOut && (RequestExpired || _attemptEndsWithRequest))
        {
            RequestTimedOut();
            return false;
        }

        if (timedOut)
        {
            stats.CountPerTryTimeout();
        }

        var retriable = outcome != AttemptOutcome.Abandoned && _policy.IsRetriable(outcome)
            && (_methodRetriable || outcome == AttemptOutcome.ConnectFailure);
        var verdict = retriable ? AdmitRetry() : RetryVerdict.NotRetriable;
        if (verdict == RetryVerdict.Admitted)
        {
            LogRetrying(_logger, _cluster.Name, destination.Id, outcome, _attempt + 1);
            return await PrepareRetryAsync().ConfigureAwait(false);
        }

        if (timedOut)
        {
            LogTimedOut(_logger, _cluster.Name, destination.Id, "per-try");
            Fail(StatusCodes.Status504GatewayTimeout, MeshHeaders.UpstreamTimeout, $"per-try timeout of {_cluster.Name} ended the attempt to {destination.Id}");
        }
        else
        {
            ForwarderErrors.Report(_context, error, destination.Id, _logger);
        }

        if (verdict == RetryVerdict.BudgetExhausted && !_context.Response.HasStarted)
        {
            _context.Response.Headers[MeshHeaders.Error] = MeshHeaders.RetryBudgetExhausted;
        }

        return false;
    }

    /// <summary>
    /// Decides whether one more attempt may go: attempts left, a method and body that can be sent again, nothing
    /// sent to the client yet, time left, then the budget and max_retries (each refusal counted). Admission takes
    /// the budget token and a max_retries slot, which the retried attempt gives back.
    /// </summary>
    private RetryVerdict AdmitRetry()
    {
        if (_attempt >= _policy.Attempts || _body is not { CanReplay: true } || _context.Response.HasStarted || RequestExpired)
        {
            return RetryVerdict.NotRetriable;
        }

        if (!_resilience.Budget.TryWithdraw(_policy))
        {
            _resilience.Stats.CountRetryBudgetExhausted();
            LogBudgetExhausted(_logger, _cluster.Name);
            return RetryVerdict.BudgetExhausted;
        }

        if (!_resilience.Breaker.TryEnterRetry(_policy))
        {
            _resilience.Stats.CountRetryOverflow();
            return RetryVerdict.Overflow;
        }

        return RetryVerdict.Admitted;
    }

    /// <summary>Resets the response and the body, waits the backoff; false (response written) when time ran out.</summary>
    private async Task<bool> PrepareRetryAsync()
    {
        _resilience.Stats.CountRetry();
        _context.Response.Clear();
        _context.Features.Set<IForwarderErrorFeature>(null);
        _body!.Rewind();

        var delay = Backoff.FullJitter(_attempt, _policy.BackoffBase, _policy.BackoffMax);
        if (Remaining is { } remaining && remaining < delay)
        {
            delay = remaining;
        }

        var retried = false;
        try
        {
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, _time, _context.RequestAborted).ConfigureAwait(false);
            }

            if (RequestExpired)
            {
                RequestTimedOut();
                return false;
            }

            retried = true;
            return true;
        }
        catch (OperationCanceledException) when (_context.RequestAborted.IsCancellationRequested)
        {
            return false;
        }
        finally
        {
            if (!retried)
            {
                // The admitted retry never ran its attempt, which would have given its slot back.
                _resilience.Breaker.ExitRetry();
            }
        }
    }

    private TimeSpan? Remaining => _policy.RequestTimeout is { } timeout ? timeout - _time.GetElapsedTime(_start) : null;

    private bool RequestExpired => Remaining <= TimeSpan.Zero;

    /// <summary>A timer for the next attempt: the per-try timeout or what is left of the request's, whichever is sooner.</summary>
    private CancellationTokenSource? AttemptTimer()
    {
        var limit = _policy.PerTryTimeout;
        _attemptEndsWithRequest = false;
        if (_policy.RequestTimeout is null)
        {
            return limit is { } perTry ? _timers.Rent(perTry) : null;
        }

        if (Remaining is { } remaining && (limit is null || remaining < limit))
        {
            limit = remaining > TimeSpan.Zero ? remaining : TimeSpan.FromTicks(1);
            _attemptEndsWithRequest = true;
        }

        return limit is { } value ? _timers.Rent(value) : null;
    }

    private void RequestTimedOut()
    {
        _resilience.Stats.CountRequestTimeout();
        LogTimedOut(_logger, _cluster.Name, string.Empty, "request");
        Fail(StatusCodes.Status504GatewayTimeout, MeshHeaders.UpstreamTimeout, $"request timeout of {_cluster.Name} ran out");
    }

    private void NoHealthyEndpoints()
    {
        _resilience.Stats.CountNoHealthyEndpoints();
        LogNoHealthyEndpoints(_logger, _context.Request.Host.Value ?? string.Empty, _cluster.Name);
        Fail(StatusCodes.Status503ServiceUnavailable, MeshHeaders.NoHealthyEndpoints, $"cluster {_cluster.Name} had no endpoint to pick");
    }

    /// <summary>Answers with an error of our own unless response bytes already left (then YARP has aborted it).</summary>
    private void Fail(int status, string label, string detail)
    {
        if (_context.Response.HasStarted)
        {
            return;
        }

        _context.Response.Clear();
        OutboundHandler.Reject(_context, status, label, detail);
    }

    /// <summary>RFC 9110 idempotent methods; others (POST, PATCH, ...) only with the policy's non_idempotent.</summary>
    private bool IsRetriableMethod(string method) =>
        _policy.RetryNonIdempotent
        || HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)
        || HttpMethods.IsTrace(method) || HttpMethods.IsPut(method) || HttpMethods.IsDelete(method);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Circuit breaker refused a request to {Cluster} ({Active} in flight)")]
    private static partial void LogOverloaded(ILogger logger, string cluster, int active);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Retrying {Cluster} after {Destination} failed with {Failure} (retry {Retry})")]
    private static partial void LogRetrying(ILogger logger, string cluster, string destination, AttemptOutcome failure, int retry);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Retrying {Cluster} after {Destination} answered {Status} (retry {Retry})")]
    private static partial void LogRetryingStatus(ILogger logger, string cluster, string destination, int status, int retry);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retry budget of {Cluster} exhausted; returning the failure")]
    private static partial void LogBudgetExhausted(ILogger logger, string cluster);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request to {Cluster} {Destination} ran out of its {Timeout} timeout")]
    private static partial void LogTimedOut(ILogger logger, string cluster, string destination, string timeout);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No healthy endpoints for host {Host} in cluster {Cluster}")]
    private static partial void LogNoHealthyEndpoints(ILogger logger, string host, string cluster);
}
