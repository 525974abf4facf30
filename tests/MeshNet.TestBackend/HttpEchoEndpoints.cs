namespace MeshNet.TestBackend;

/// <summary>The plain HTTP side: <c>/healthz</c>, and every other path answered with who served it.</summary>
internal static class HttpEchoEndpoints
{
    public const string BackendHeader = "x-backend";

    public static void MapHttpEcho(this WebApplication app, BackendOptions options)
    {
        app.MapGet("/healthz", (HttpContext context) =>
        {
            context.Response.Headers[BackendHeader] = options.Name;
            return Results.Text("ok");
        });

        // A fallback rather than a route table: the mesh may forward any path, method and body.
        app.MapFallback((HttpContext context) =>
        {
            var request = context.Request;
            context.Response.Headers[BackendHeader] = options.Name;
            // Who the inbound sidecar says called (a SPIFFE ID over mTLS, "plaintext" otherwise), echoed for tests.
            context.Response.Headers["x-echo-peer"] = request.Headers["x-meshnet-peer"].ToString();
            var body = new EchoResponse(
                options.Name,
                request.Path.Value ?? "/",
                request.Host.Value ?? string.Empty,
                request.Protocol,
                context.Connection.LocalPort);
            return Results.Json(body, EchoJsonContext.Default.EchoResponse);
        });
    }
}
