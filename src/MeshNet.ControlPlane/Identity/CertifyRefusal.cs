using Grpc.Core;

namespace MeshNet.ControlPlane.Identity;

/// <summary>Why a Certify call signs nothing: the gRPC status it maps to and the reason the caller and the log see.</summary>
internal sealed record CertifyRefusal(StatusCode Code, string Reason)
{
    public static CertifyRefusal Invalid(string reason) => new(StatusCode.InvalidArgument, reason);

    public static CertifyRefusal Denied(string reason) => new(StatusCode.PermissionDenied, reason);
}
