using System.Net;
using MeshNet.Bench.GrpcBackend;
using Microsoft.AspNetCore.Server.Kestrel.Core;

// A fixed-reply gRPC server (h2c, prior knowledge) for the gRPC unary benchmark: `--listen IP:PORT`.
var listen = IPEndPoint.Parse(args.SkipWhile(a => a != "--listen").Skip(1).FirstOrDefault() ?? "127.0.0.1:8082");

var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(kestrel =>
    kestrel.Listen(listen, endpoint => endpoint.Protocols = HttpProtocols.Http2));
builder.Services.AddGrpc();

var app = builder.Build();
app.MapGrpcService<FixedReplyService>();
app.Run();
