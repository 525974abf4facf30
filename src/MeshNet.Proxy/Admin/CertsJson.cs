using System.Security.Cryptography;
using System.Text.Json.Nodes;
using MeshNet.Proxy.Identity;
using MeshNet.Proxy.Tls;

namespace MeshNet.Proxy.Admin;

/// <summary>
/// GET /certs: {"enabled", "trustDomain", "identity", "notBefore", "notAfter", "secondsToExpiry", "issuerSha256",
/// "bundle":[subjects], "bundleSha256":[fingerprints, in the bundle's order], "renewal":{"failures","nextAttemptAt",
/// "lastError"}|null, "refused":{reason: count}}. Certificate fields are null before the first certificate (and
/// always when mTLS is off). Fingerprints are what tell two roots apart during a rotation: generated roots share a
/// subject.
/// </summary>
internal static class CertsJson
{
    public static string Format(ICertificateSource certificates, RenewalStatus? renewal, PeerRefusals refusals, TimeProvider time)
    {
        var current = certificates.Current;
        var bundle = new JsonArray();
        var fingerprints = new JsonArray();
        foreach (var anchor in current?.TrustBundle ?? [])
        {
            bundle.Add(anchor.Subject);
            fingerprints.Add(Convert.ToHexStringLower(anchor.GetCertHash(HashAlgorithmName.SHA256)));
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
            ["issuerSha256"] = current?.IssuerSha256,
            ["bundle"] = bundle,
            ["bundleSha256"] = fingerprints,
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
