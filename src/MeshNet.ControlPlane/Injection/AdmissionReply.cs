using System.Text.Json.Nodes;

namespace MeshNet.ControlPlane.Injection;

/// <summary>The HTTP answer to one /inject call: a status code and an AdmissionReview body (always JSON).</summary>
/// <param name="Summary">One line for the log: what was decided and why.</param>
internal sealed record AdmissionReply(int StatusCode, JsonObject Review, string Summary)
{
    /// <summary>The request was a dry run; for the log only (the answer is the same, deciding has no side effects).</summary>
    public bool DryRun { get; init; }

    public const string ApiVersion = "admission.k8s.io/v1";
    public const string Kind = "AdmissionReview";

    /// <summary>Allowed, with the patch when there is one.</summary>
    public static AdmissionReply Allow(string? uid, string? base64Patch, string? warning, string summary)
    {
        var response = new JsonObject { ["uid"] = uid ?? string.Empty, ["allowed"] = true };
        if (base64Patch is not null)
        {
            response["patchType"] = "JSONPatch";
            response["patch"] = base64Patch;
        }

        if (warning is not null)
        {
            response["warnings"] = new JsonArray(warning);
        }

        return new AdmissionReply(200, Wrap(response), summary);
    }

    /// <summary>
    /// Refused with a metav1.Status. <paramref name="httpStatus"/> 200 when the review itself was readable (the API
    /// server shows the message to the user); 4xx when not even that, so the call counts as failed.
    /// </summary>
    public static AdmissionReply Deny(string? uid, int code, string message, int httpStatus = 200) =>
        new(httpStatus, Wrap(new JsonObject
        {
            ["uid"] = uid ?? string.Empty,
            ["allowed"] = false,
            ["status"] = new JsonObject { ["code"] = code, ["message"] = message },
        }), message);

    private static JsonObject Wrap(JsonObject response) =>
        new() { ["apiVersion"] = ApiVersion, ["kind"] = Kind, ["response"] = response };
}
