using System.Text.Json;
using System.Text.Json.Nodes;
using MeshNet.Kubernetes.Injection;

namespace MeshNet.ControlPlane.Injection;

/// <summary>
/// One AdmissionReview (admission.k8s.io/v1) in, one out; transport-free. Never throws on input: whatever the body,
/// the answer is an AdmissionReview that echoes the request's uid when one can be read. Deciding has no side
/// effects at all (nothing is stored or sent; only the caller's log line), so a dryRun request gets the same answer.
/// </summary>
/// <param name="controlPlaneCa">The PEM roots injected sidecars verify the control plane with, read per review (a CA reload changes them).</param>
internal sealed class AdmissionReviewHandler(InjectionSettings settings, Func<string?>? controlPlaneCa = null)
{
    /// <summary>Kubernetes caps a request object at about 1.5 MiB in etcd; a pod near 1 MiB is already absurd.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    private static readonly Dictionary<string, string> EnabledNamespace = new(StringComparer.Ordinal) { [InjectionNames.Inject] = InjectionNames.Enabled };

    /// <param name="namespaceEnabled">
    /// The call came through the webhook whose namespaceSelector matches <c>meshnet.io/inject=enabled</c>
    /// (admission requests carry no namespace labels; the selector that routed the call is how we know them).
    /// </param>
    public AdmissionReply Handle(ReadOnlySpan<byte> body, bool namespaceEnabled)
    {
        JsonObject review;
        try
        {
            review = JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { MaxDepth = 128 }) as JsonObject
                ?? throw new JsonException("the body is not a JSON object");
        }
        catch (JsonException e)
        {
            return AdmissionReply.Deny(null, 400, $"the body is not an AdmissionReview: {e.Message}", httpStatus: 400);
        }

        var request = review["request"] as JsonObject;
        var uid = Text(request?["uid"]);
        var apiVersion = Text(review["apiVersion"]);
        var kind = Text(review["kind"]);
        if (apiVersion != AdmissionReply.ApiVersion || kind != AdmissionReply.Kind)
        {
            return AdmissionReply.Deny(
                uid, 400, $"unsupported {kind ?? "(no kind)"} {apiVersion ?? "(no apiVersion)"}: this webhook speaks {AdmissionReply.Kind} {AdmissionReply.ApiVersion}",
                httpStatus: uid is null ? 400 : 200);
        }

        if (request is null)
        {
            return AdmissionReply.Deny(null, 400, "the AdmissionReview has no request", httpStatus: 400);
        }

        if (uid is null)
        {
            return AdmissionReply.Deny(null, 400, "the AdmissionReview request has no uid", httpStatus: 400);
        }

        return Decide(uid, request, namespaceEnabled) with { DryRun = request["dryRun"] is JsonValue dryRun && dryRun.TryGetValue<bool>(out var yes) && yes };
    }

    private AdmissionReply Decide(string uid, JsonObject request, bool namespaceEnabled)
    {
        var resource = request["resource"] as JsonObject;
        var isPods = Text(resource?["group"]) is null or "" && Text(resource?["resource"]) == "pods" && Text(request["subResource"]) is null or "";
        if (!isPods)
        {
            return AdmissionReply.Allow(uid, null, "meshnet: this webhook only injects pods; nothing changed", "not a pod");
        }

        if (Text(request["operation"]) != "CREATE")
        {
            return AdmissionReply.Allow(uid, null, null, $"operation {Text(request["operation"])}: nothing to inject");
        }

        if (request["object"] is not JsonObject pod)
        {
            return AdmissionReply.Deny(uid, 400, "the AdmissionReview request has no pod object");
        }

        var effective = controlPlaneCa?.Invoke() is { } ca ? settings with { ControlPlaneCa = ca } : settings;
        var result = SidecarInjector.Inject(pod, namespaceEnabled ? EnabledNamespace : null, effective);
        return result.Outcome switch
        {
            InjectionOutcome.Injected => AdmissionReply.Allow(
                uid, Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(result.Patch)), null, "injected"),
            InjectionOutcome.Skipped => AdmissionReply.Allow(uid, null, null, result.Reason),
            _ => AdmissionReply.Deny(uid, 400, "meshnet: " + result.Reason),
        };
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
