// The .NET baseline hop: stock YARP with static configuration and default settings, nothing tuned. Routes, the
// cluster and Kestrel's URL come from the command line, e.g.
//   --urls http://127.66.5.1:15001 --ReverseProxy:Routes:all:ClusterId=next --ReverseProxy:Routes:all:Match:Path={**rest}
//   --ReverseProxy:Clusters:next:Destinations:d1:Address=http://127.66.5.2:15006/
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"));

var app = builder.Build();
app.MapReverseProxy();
app.Run();
