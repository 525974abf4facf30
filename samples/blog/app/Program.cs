using BlogApp;

// One binary for every role of the blogging platform; BLOG_ROLE picks it (see samples/blog/README.md).
var settings = BlogSettings.FromEnvironment();

var builder = WebApplication.CreateSlimBuilder(args);
// Per-request logs would drown the demo's log file; startup and errors are what a reader needs.
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(settings.ListenAddress, settings.Port));
builder.Services.AddSingleton(settings);
builder.Services.AddSingleton(new HttpClient(new SocketsHttpHandler
{
    // The sidecar (or the intercepted network) is the only proxy this app should use.
    UseProxy = false,
    PooledConnectionLifetime = TimeSpan.FromMinutes(1),
})
{
    Timeout = TimeSpan.FromSeconds(5),
});
builder.Services.AddSingleton<BackendCaller>();
// Spans only when an OTLP endpoint is configured; the trace context is forwarded on every call either way.
builder.Services.AddBlogTracing(settings);

var app = builder.Build();

app.MapGet("/healthz", () => Results.Text("ok"));

if (settings.Backends.Count > 0)
{
    app.MapGet("/", async (BackendCaller backends, CancellationToken cancellationToken) =>
        new FrontendReply(settings.Role, settings.Version, settings.PodName,
            await backends.CallAllAsync(cancellationToken)));
}
else
{
    app.MapGet("/", () => new ServiceReply(settings.Role, settings.Version, settings.PodName));
}

Log.Starting(app.Logger, settings.Role, settings.Version, settings.PodName, settings.ListenAddress, settings.Port);
app.Run();
