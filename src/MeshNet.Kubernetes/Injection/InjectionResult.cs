using System.Text.Json.Nodes;

namespace MeshNet.Kubernetes.Injection;

public enum InjectionOutcome
{
    /// <summary>The patch adds the sidecar.</summary>
    Injected,

    /// <summary>Nothing to do (not enabled, opted out, hostNetwork, already injected); the patch is empty.</summary>
    Skipped,

    /// <summary>The pod asks for something invalid (a malformed resource annotation); the patch is empty.</summary>
    Rejected,
}

/// <summary>What the injector decided, why, and the RFC 6902 patch that carries it out (empty unless injected).</summary>
/// <param name="Reason">One line for logs, admission warnings and <c>meshctl inject</c>'s report.</param>
public sealed record InjectionResult(InjectionOutcome Outcome, string Reason, JsonArray Patch)
{
    public static InjectionResult Skip(string reason) => new(InjectionOutcome.Skipped, reason, []);

    public static InjectionResult Reject(string reason) => new(InjectionOutcome.Rejected, reason, []);
}
