namespace BlogApp;

/// <summary>What every backend answers: who it is. The frontend and `meshctl demo` read it back.</summary>
internal sealed record ServiceReply(string Service, string Version, string Pod);

/// <summary>The frontend's page: who served it and how each backend call went.</summary>
internal sealed record FrontendReply(string Service, string Version, string Pod, IReadOnlyList<CallResult> Calls);

/// <summary>
/// One backend call. A failed call is data, not an exception: <see cref="Error"/> says why (the sidecar's
/// x-meshnet-error header, the status code or the transport error).
/// </summary>
internal sealed record CallResult(string Target, bool Ok, int? Status, ServiceReply? AnsweredBy, string? Error);
