namespace MeshNet.Cli.Demo;

/// <summary>The blog frontend's JSON (samples/blog/app): who served the page and who answered each backend call.</summary>
internal sealed record FrontendReply(string Service, string Version, string Pod, IReadOnlyList<FrontendCall>? Calls);

internal sealed record FrontendCall(string Target, bool Ok, int? Status, ServiceReply? AnsweredBy, string? Error);

internal sealed record ServiceReply(string Service, string Version, string Pod);
