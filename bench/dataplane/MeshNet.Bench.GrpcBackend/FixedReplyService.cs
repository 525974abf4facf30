using Google.Protobuf;
using Grpc.Core;
using MeshNet.Bench.GrpcBackend.V1;

namespace MeshNet.Bench.GrpcBackend;

internal sealed class FixedReplyService : BenchService.BenchServiceBase
{
    // One immutable reply shared by every call keeps the backend's own cost minimal.
    private static readonly BenchReply Reply = new() { Payload = ByteString.CopyFrom(new byte[1024]) };

    public override Task<BenchReply> Unary(BenchRequest request, ServerCallContext context) => Task.FromResult(Reply);
}
