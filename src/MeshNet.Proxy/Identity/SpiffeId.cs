using System.Diagnostics.CodeAnalysis;
using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace MeshNet.Proxy.Identity;

/// <summary>
/// A workload identity "spiffe://&lt;trust-domain&gt;/ns/&lt;namespace&gt;/sa/&lt;service-account&gt;", the only shape
/// the mesh issues (SPIFFE ID spec, section 2, restricted to this path layout).
/// </summary>
internal sealed record SpiffeId(string TrustDomain, string Namespace, string ServiceAccount)
{
    private const string Scheme = "spiffe://";

    // RFC 5280 section 4.2.1.6: the subjectAltName extension.
    private const string SubjectAltNameOid = "2.5.29.17";

    public override string ToString() => $"{Scheme}{TrustDomain}/ns/{Namespace}/sa/{ServiceAccount}";

    public Uri ToUri() => new(ToString(), UriKind.Absolute);

    /// <summary>Accepts exactly the mesh's layout, with lower-case trust domain and no empty, dot or percent-encoded segment.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out SpiffeId? id)
    {
        id = null;
        if (text is null || !text.StartsWith(Scheme, StringComparison.Ordinal) || text.Length > 2048)
        {
            return false;
        }

        var parts = text[Scheme.Length..].Split('/');
        if (parts.Length != 5 || parts[1] != "ns" || parts[3] != "sa" || !parts.All(IsSegment) || parts[0].Any(char.IsAsciiLetterUpper))
        {
            return false;
        }

        id = new SpiffeId(parts[0], parts[2], parts[4]);
        return true;
    }

    /// <summary>The URI subject alternative names of a certificate, in order (empty when it has none).</summary>
    public static IReadOnlyList<string> UriNames(X509Certificate2 certificate)
    {
        var extension = certificate.Extensions[SubjectAltNameOid];
        if (extension is null)
        {
            return [];
        }

        var names = new List<string>();
        var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER);
        var sequence = reader.ReadSequence();
        var uriTag = new Asn1Tag(TagClass.ContextSpecific, 6);
        while (sequence.HasData)
        {
            if (sequence.PeekTag() == uriTag)
            {
                names.Add(sequence.ReadCharacterString(UniversalTagNumber.IA5String, uriTag));
            }
            else
            {
                sequence.ReadEncodedValue();
            }
        }

        return names;
    }

    private static bool IsSegment(string segment) =>
        segment.Length is > 0 and <= 253
        && segment is not "." and not ".."
        && segment.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_');
}
