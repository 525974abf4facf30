using System.Globalization;
using MeshNet.TestBackend;
using Microsoft.AspNetCore.Server.Kestrel.Core;

BackendOptions options;
try
{
    options = BackendOptions.Parse(args);
}
catch (FormatException ex)
{
    await Console.Error.WriteLineAsync($"meshnet-testbackend: {ex.Message}\n{BackendOptions.Usage}");
    return 2;
}

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddSingleton(options);
var faults = new FaultState(options);
builder.Services.AddGrpc();

// Kestrel cannot serve HTTP/1.1 and prior-knowledge h2c on one cleartext port (without TLS there is no ALPN to
// choose, and it falls back to HTTP/1.1), so h2c and gRPC get their own port.
ListenOptions? http1 = null;
ListenOptions? h2c = null;
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.Listen(options.Listen, listen =>
    {
        listen.Protocols = HttpProtocols.Http1;
        http1 = listen;
    });
    if (options.H2cListen is { } h2cEndPoint)
    {
        kestrel.Listen(h2cEndPoint, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            h2c = listen;
        });
    }
});

var app = builder.Build();
app.UseFaults(options, faults);
app.MapFaultControl(faults);
app.MapGrpcService<EchoService>();
app.MapHttpEcho(options);

await app.StartAsync();

// Kestrel writes the bound endpoint (the real port when 0 was asked for) back into each ListenOptions.
var readyLine = string.Create(CultureInfo.InvariantCulture, $"meshnet-testbackend ready listen={http1!.IPEndPoint}");
if (h2c is not null)
{
    readyLine += string.Create(CultureInfo.InvariantCulture, $" h2c={h2c.IPEndPoint}");
}

Console.WriteLine(readyLine);
await app.WaitForShutdownAsync();
return 0;
