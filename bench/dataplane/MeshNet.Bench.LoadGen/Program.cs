using System.Text.Json;
using MeshNet.Bench.LoadGen;

// An open-loop HTTP/1.1 load generator: requests leave on a fixed schedule whatever the server does, and each
// latency is measured from the request's intended send time, so a stalled server shows up in the percentiles
// instead of silently slowing the generator down (coordinated omission, as wrk2 corrects it).
LoadGenOptions options;
try
{
    options = LoadGenOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

var result = await OpenLoopRunner.RunAsync(options);
Console.WriteLine(JsonSerializer.Serialize(result, LoadGenJson.Default.LoadGenResult));
return 0;
