using System.Text.Json.Nodes;
using MeshNet.Proxy.Identity;
using MeshNet.Proxy.Tls;

namespace MeshNet.Proxy.Admin;

/// <summary>
/// GET /certs: {"enabled", "trustDomain", "identity", "notBefore", "notAfter", "secondsToExpiry", "bundle":[subjects],
/// "renewal":{"failures","nextAttemptAt","lastError"}|null, "refused":{reason: count}}. Certificate fields are null
/// before the first certificate (and always when mTLS is off).
/// </summary>
internal static class CertsJson
{
    public static string Format(ICertificateSource certificates, RenewalStatus? renewal, PeerRefusals refusals, TimeProvider time)
    {
        var current = certificates.Current;
        var bundle = new JsonArray();
        foreach (var anchor in current?.TrustBundle ?? [])
        {
            bundle.Add(anchor.Subject);
        }

        var refused = new JsonObject();
        foreach (var (reason, count) in refusals.Snapshot())
        {
            refused[reason] = count;
        }

        return new JsonObject
        {
            ["enabled"] = certificates.Enabled,
            ["trustDomain"] = certificates.TrustDomain,
            ["identity"] = current?.Id.ToString(),
            ["notBefore"] = current?.NotBefore,
            ["notAfter"] = current?.NotAfter,
            ["secondsToExpiry"] = current is null ? null : Math.Floor((current.NotAfter - time.GetUtcNow()).TotalSeconds),
            ["bundle"] = bundle,
            ["renewal"] = renewal is null ? null : new JsonObject
            {
                ["failures"] = renewal.Failures,
                ["nextAttemptAt"] = renewal.NextAttemptAt,
                ["lastError"] = renewal.LastError,
            },
            ["refused"] = refused,
        }.ToJsonString();
    }
}
