using System.Text.Json.Nodes;
using k8s.Models;
using MeshNet.Model;

namespace MeshNet.Kubernetes.Api.Status;

/// <summary>The Accepted condition of one generation of a MeshNet policy resource.</summary>
internal sealed record AcceptedCondition(bool Accepted, string Reason, string Message, long Generation)
{
    public const string Type = "Accepted";

    /// <summary>The control plane took the resource into its configuration.</summary>
    public const string AcceptedReason = "Accepted";

    /// <summary>The object itself is invalid (a field fails the mesh's validation).</summary>
    public const string InvalidReason = "Invalid";

    /// <summary>The object is valid, but the control plane refused it against the rest of the mesh (missing target, conflict).</summary>
    public const string RejectedReason = "Rejected";

    /// <summary>Far below the CRD's 32768-character limit; one field's problem fits many times over.</summary>
    public const int MaxMessageLength = 1024;

    public static AcceptedCondition Refused(string reason, IEnumerable<ResourceError> errors, long generation)
    {
        var message = string.Join("; ", errors.Select(e => string.IsNullOrEmpty(e.Field) ? e.Message : $"{e.Field}: {e.Message}"));
        return new AcceptedCondition(false, reason, message.Length <= MaxMessageLength ? message : message[..(MaxMessageLength - 3)] + "...", generation);
    }

    /// <summary>The condition as the object's status now carries it; null when it has none.</summary>
    public static (AcceptedCondition Condition, DateTime? Since)? From(V1Condition? condition) =>
        condition is null
            ? null
            : (new AcceptedCondition(
                string.Equals(condition.Status, "True", StringComparison.Ordinal),
                condition.Reason ?? string.Empty,
                condition.Message ?? string.Empty,
                condition.ObservedGeneration ?? -1), condition.LastTransitionTime);

    /// <summary>
    /// A JSON merge patch (RFC 7386) of the status subresource. The conditions list is replaced whole: MeshNet's
    /// control plane is the only writer of these resources' status.
    /// </summary>
    public string ToMergePatch(DateTimeOffset lastTransition)
    {
        var condition = new JsonObject
        {
            ["type"] = Type,
            ["status"] = Accepted ? "True" : "False",
            ["reason"] = Reason,
            ["message"] = Message,
            ["observedGeneration"] = Generation,
            ["lastTransitionTime"] = lastTransition.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
        };
        var patch = new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["observedGeneration"] = Generation,
                ["conditions"] = new JsonArray(condition),
            },
        };
        return patch.ToJsonString();
    }
}
