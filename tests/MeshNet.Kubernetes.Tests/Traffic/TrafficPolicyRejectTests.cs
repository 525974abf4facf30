using static MeshNet.Kubernetes.Tests.Traffic.TrafficParsing;

namespace MeshNet.Kubernetes.Tests.Traffic;

/// <summary>One invalid TrafficPolicy per case, with the exact errors a user sees (resource blog/posts in "t.yaml").</summary>
public sealed class TrafficPolicyRejectTests
{
    private const string Target = "spec:\n  targetRef: {kind: Service, name: posts}\n";
    private const string Prefix = "t.yaml: document 0: TrafficPolicy blog/posts: ";

    public static TheoryData<string, string> Specs => new()
    {
        // Structure, from the CRD schema.
        { "spec: {}\n", "spec.targetRef: required" },
        { "", "spec: required" },
        { "spec:\n  targetRef: {kind: Service, name: posts}\n  retry: {attempts: 1}\n", "spec.retry: unknown field" },
        { Target + "  timeouts: {requestTimeout: 1s}\n", "spec.timeouts.requestTimeout: unknown field" },
        { Target + "  loadBalancer: {type: RingHash, hashOn: {query: q}}\n", "spec.loadBalancer.hashOn.query: unknown field" },
        { "spec:\n  targetRef: {name: posts}\n", "spec.targetRef.kind: required" },
        { "spec:\n  targetRef: {kind: Deployment, name: posts}\n", "spec.targetRef.kind: unsupported value \"Deployment\": must be one of Service" },
        { "spec:\n  targetRef: {kind: Service}\n", "spec.targetRef.name: required" },
        { "spec:\n  targetRef: {kind: Service, name: posts, port: 0}\n", "spec.targetRef.port: invalid value 0: must be 1-65535" },
        { "spec:\n  targetRef: {kind: Service, name: posts, port: 65536}\n", "spec.targetRef.port: invalid value 65536: must be 1-65535" },
        { "spec:\n  targetRef: {kind: Service, name: posts, port: http}\n", "spec.targetRef.port: expected integer, got string" },
        { Target + "  loadBalancer: {type: Fastest}\n", "spec.loadBalancer.type: unsupported value \"Fastest\": must be one of RoundRobin, LeastRequest, Random, PeakEwma, RingHash" },
        { Target + "  loadBalancer: {hashOn: {header: x}}\n", "spec.loadBalancer.type: required" },
        { Target + "  retries: {attempts: 11}\n", "spec.retries.attempts: invalid value 11: must be 0-10" },
        { Target + "  retries: {attempts: -1}\n", "spec.retries.attempts: invalid value -1: must be 0-10" },
        { Target + "  retries: {on: [5xx]}\n", "spec.retries.attempts: required" },
        { Target + "  retries: {attempts: 1, on: [5xx, timeout]}\n", "spec.retries.on[1]: unsupported value \"timeout\": must be one of connect-failure, reset, gateway-error, 5xx, retriable-status-codes" },
        { Target + "  retries: {attempts: 1, on: [5xx, 5xx]}\n", "spec.retries.on[1]: duplicate value \"5xx\"" },
        { Target + "  retries: {attempts: 1, on: 5xx}\n", "spec.retries.on: expected array, got string" },
        { Target + "  retries: {attempts: 1, on: [retriable-status-codes], statusCodes: [99, 600]}\n", "spec.retries.statusCodes[0]: invalid value 99: must be 100-599\n" + Prefix + "spec.retries.statusCodes[1]: invalid value 600: must be 100-599" },
        { Target + "  retries: {attempts: 1, budget: {percent: 101}}\n", "spec.retries.budget.percent: invalid value 101: must be 0-100" },
        { Target + "  retries: {attempts: 1, budget: {minPerSecond: -1}}\n", "spec.retries.budget.minPerSecond: invalid value -1: must be 0-100000" },
        { Target + "  retries: {attempts: 1, nonIdempotent: \"yes\"}\n", "spec.retries.nonIdempotent: expected boolean, got string" },
        { Target + "  circuitBreaker: {maxConnections: 0}\n", "spec.circuitBreaker.maxConnections: invalid value 0: must be 1 or more" },
        { Target + "  circuitBreaker: {maxPendingRequests: 0, maxRequests: 0, maxRetries: 0}\n", "spec.circuitBreaker.maxPendingRequests: invalid value 0: must be 1 or more\n" + Prefix + "spec.circuitBreaker.maxRequests: invalid value 0: must be 1 or more\n" + Prefix + "spec.circuitBreaker.maxRetries: invalid value 0: must be 1 or more" },
        { Target + "  circuitBreaker: {maxRequests: 3000000000}\n", "spec.circuitBreaker.maxRequests: integer 3000000000 is out of range" },
        { Target + "  outlierDetection: {maxEjectionPercent: 101}\n", "spec.outlierDetection.maxEjectionPercent: invalid value 101: must be 0-100" },
        { Target + "  outlierDetection: {consecutive5xx: 0, consecutiveGatewayErrors: 0}\n", "spec.outlierDetection.consecutive5xx: invalid value 0: must be 1 or more\n" + Prefix + "spec.outlierDetection.consecutiveGatewayErrors: invalid value 0: must be 1 or more" },
        { Target + "  timeouts: {request: 2}\n", "spec.timeouts.request: expected string, got number" },
        { Target + "  timeouts: {request: 1000000000000000000000000000000000s}\n", "spec.timeouts.request: must be at most 32 characters" },
        { Target + "  retries: {attempts: 1, on: [5xx, reset, gateway-error, connect-failure, retriable-status-codes, 5xx], statusCodes: [503]}\n", "spec.retries.on[5]: duplicate value \"5xx\"\n" + Prefix + "spec.retries.on: must have at most 5 items" },

        // Rules the schema cannot state.
        { "spec:\n  targetRef: {kind: Service, name: Posts}\n", "spec.targetRef.name: invalid name \"Posts\": must be a DNS-1035 label (at most 63 lowercase letters, digits or '-', starting with a letter and ending with a letter or digit)" },
        { "spec:\n  targetRef: {kind: Service, name: posts.blog}\n", "spec.targetRef.name: invalid name \"posts.blog\": must be a DNS-1035 label (at most 63 lowercase letters, digits or '-', starting with a letter and ending with a letter or digit)" },
        { Target + "  loadBalancer: {type: RingHash}\n", "spec.loadBalancer.hashOn: required for RingHash: set one of header, sourceIP or cookie" },
        { Target + "  loadBalancer: {type: RingHash, hashOn: {}}\n", "spec.loadBalancer.hashOn: set exactly one of header, sourceIP or cookie" },
        { Target + "  loadBalancer: {type: RingHash, hashOn: {sourceIP: false}}\n", "spec.loadBalancer.hashOn: set exactly one of header, sourceIP or cookie" },
        { Target + "  loadBalancer: {type: RingHash, hashOn: {header: x-user, cookie: id}}\n", "spec.loadBalancer.hashOn: set exactly one of header, sourceIP or cookie" },
        { Target + "  loadBalancer: {type: RoundRobin, hashOn: {header: x-user}}\n", "spec.loadBalancer.hashOn: only allowed with type RingHash" },
        { Target + "  loadBalancer: {type: RingHash, hashOn: {header: \"x user\"}}\n", "spec.loadBalancer.hashOn.header: invalid header name \"x user\": must be an HTTP token (letters, digits and !#$%&'*+-.^_`|~)" },
        { Target + "  loadBalancer: {type: RingHash, hashOn: {cookie: \"a=b\"}}\n", "spec.loadBalancer.hashOn.cookie: invalid cookie name \"a=b\": must be an HTTP token (letters, digits and !#$%&'*+-.^_`|~)" },
        { Target + "  timeouts: {request: -1s}\n", "spec.timeouts.request: invalid duration \"-1s\": must not be negative" },
        { Target + "  timeouts: {request: 2x}\n", "spec.timeouts.request: invalid duration \"2x\": expected numbers with units (h, m, s, ms, us, ns), such as 500ms, 2s or 1m30s" },
        { Target + "  timeouts: {request: 2 s}\n", "spec.timeouts.request: invalid duration \"2 s\": expected numbers with units (h, m, s, ms, us, ns), such as 500ms, 2s or 1m30s" },
        { Target + "  timeouts: {request: \"\"}\n", "spec.timeouts.request: invalid duration \"\": expected numbers with units (h, m, s, ms, us, ns), such as 500ms, 2s or 1m30s" },
        { Target + "  timeouts: {request: 1d}\n", "spec.timeouts.request: invalid duration \"1d\": expected numbers with units (h, m, s, ms, us, ns), such as 500ms, 2s or 1m30s" },
        { Target + "  timeouts: {request: .5s}\n", "spec.timeouts.request: invalid duration \".5s\": expected numbers with units (h, m, s, ms, us, ns), such as 500ms, 2s or 1m30s" },
        { Target + "  timeouts: {request: 24h1s}\n", "spec.timeouts.request: invalid duration \"24h1s\": must be between 1ms and 24h" },
        { Target + "  timeouts: {idle: 99999999999999999999999h}\n", "spec.timeouts.idle: invalid duration \"99999999999999999999999h\": must be between 1ms and 24h" },
        { Target + "  timeouts: {connect: 0s}\n", "spec.timeouts.connect: invalid duration \"0s\": must be between 1ms and 24h" },
        { Target + "  timeouts: {connect: \"0\"}\n", "spec.timeouts.connect: invalid duration \"0\": must be between 1ms and 24h" },
        { Target + "  timeouts: {connect: 500us}\n", "spec.timeouts.connect: invalid duration \"500us\": must be between 1ms and 24h" },
        { Target + "  timeouts: {request: 1s, perTry: 2s}\n", "spec.timeouts.perTry: must not exceed request (1s)" },
        { Target + "  retries: {attempts: 1, on: [retriable-status-codes]}\n", "spec.retries.statusCodes: required when on includes retriable-status-codes" },
        { Target + "  retries: {attempts: 1, on: [retriable-status-codes], statusCodes: []}\n", "spec.retries.statusCodes: required when on includes retriable-status-codes" },
        { Target + "  retries: {attempts: 1, backoff: {base: 1s, max: 100ms}}\n", "spec.retries.backoff.base: must not exceed max (100ms)" },
        { Target + "  retries: {attempts: 1, backoff: {base: -25ms}}\n", "spec.retries.backoff.base: invalid duration \"-25ms\": must not be negative" },
        { Target + "  outlierDetection: {interval: 10, baseEjectionTime: 1y}\n", "spec.outlierDetection.interval: expected string, got number" },
        { Target + "  outlierDetection: {interval: 10sec, baseEjectionTime: 25h}\n", "spec.outlierDetection.interval: invalid duration \"10sec\": expected numbers with units (h, m, s, ms, us, ns), such as 500ms, 2s or 1m30s\n" + Prefix + "spec.outlierDetection.baseEjectionTime: invalid duration \"25h\": must be between 1ms and 24h" },
    };

    [Theory]
    [MemberData(nameof(Specs))]
    public void Rejects_InvalidPolicy_NamingTheField(string spec, string expected) =>
        Assert.Equal(Prefix + expected, Reject(PolicyHeader + spec));

    [Fact]
    public void Rejects_UnknownTopLevelAndMetadataFields_LikeBuiltInKinds() =>
        Assert.Equal(
            Prefix + "metadata.lables: unknown field\n" + Prefix + "sepc: unknown field\n" + Prefix + "spec: required",
            Reject("apiVersion: meshnet.io/v1alpha1\nkind: TrafficPolicy\nmetadata: {name: posts, namespace: blog, lables: {a: b}}\nsepc:\n  targetRef: {kind: Service, name: posts}\n"));

    [Fact]
    public void Rejects_WrongApiVersion() =>
        Assert.Equal(
            Prefix + "apiVersion: unsupported apiVersion \"meshnet.io/v1\" for kind TrafficPolicy: expected meshnet.io/v1alpha1",
            Reject("apiVersion: meshnet.io/v1\nkind: TrafficPolicy\nmetadata: {name: posts, namespace: blog}\n" + Target));

    [Fact]
    public void Rejects_InvalidMetadataName() =>
        Assert.Equal(
            "t.yaml: document 0: TrafficPolicy blog/Posts: metadata.name: invalid name \"Posts\": must be a DNS-1123 subdomain (at most 253 characters of DNS-1123 labels joined by '.')",
            Reject("apiVersion: meshnet.io/v1alpha1\nkind: TrafficPolicy\nmetadata: {name: Posts, namespace: blog}\n" + Target));
}
