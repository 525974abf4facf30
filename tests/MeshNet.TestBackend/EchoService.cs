using Grpc.Core;
using MeshNet.TestBackend.Echo.V1;

namespace MeshNet.TestBackend;

internal sealed class EchoService(BackendOptions options) : Echo.V1.Echo.EchoBase
{
    public override Task<SayReply> Say(SayRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        return Task.FromResult(new SayReply
        {
            Backend = options.Name,
            Message = request.Message,
            Authority = context.Host,
        });
    }
}
