using System.Formats.Asn1;

namespace MeshNet.ControlPlane.Identity;

/// <summary>
/// Reads a subjectAltName extension value (RFC 5280 4.2.1.6, GeneralNames) without trusting it: every name is
/// returned with its kind, and names are kept as raw bytes so that a control or non-ASCII byte is seen rather than
/// decoded away or rejected by a string decoder.
/// </summary>
internal static class SubjectAltNames
{
    /// <summary>GeneralName choice tags (context-specific, implicit).</summary>
    public enum Kind
    {
        OtherName = 0,
        Email = 1,
        Dns = 2,
        X400Address = 3,
        DirectoryName = 4,
        EdiPartyName = 5,
        Uri = 6,
        IPAddress = 7,
        RegisteredId = 8,
    }

    /// <exception cref="AsnContentException">The value is not DER GeneralNames.</exception>
    public static IReadOnlyList<(Kind Kind, byte[] Value)> Read(ReadOnlyMemory<byte> extensionValue)
    {
        var reader = new AsnReader(extensionValue, AsnEncodingRules.DER);
        var names = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        var result = new List<(Kind, byte[])>();
        while (names.HasData)
        {
            var tag = names.PeekTag();
            if (tag.TagClass != TagClass.ContextSpecific || tag.TagValue > (int)Kind.RegisteredId)
            {
                throw new AsnContentException($"unexpected tag {tag} in GeneralNames");
            }

            // The string-like choices are primitive; the structured ones are kept whole (only their kind matters).
            var value = tag.IsConstructed ? names.ReadEncodedValue().ToArray() : names.ReadOctetString(tag);
            result.Add(((Kind)tag.TagValue, value));
        }

        return result;
    }

    public static string Describe(Kind kind) => kind switch
    {
        Kind.Dns => "a DNS name",
        Kind.IPAddress => "an IP address",
        Kind.Email => "an email address",
        Kind.Uri => "a second URI",
        Kind.OtherName => "an otherName",
        Kind.DirectoryName => "a directory name",
        Kind.RegisteredId => "a registered ID",
        _ => $"a {kind} name",
    };
}
