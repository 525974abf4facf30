using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Models;

namespace MeshNet.Cli.Local;

/// <summary>
/// Pod names as a Deployment's ReplicaSet gives them: "&lt;deployment&gt;-&lt;pod-template-hash&gt;-&lt;5 random&gt;".
/// Like Kubernetes, the hash is FNV-1a (32 bit) of the pod template and every character is drawn from an alphabet
/// without vowels, so generated names cannot spell words (k8s.io/apimachinery rand.SafeEncodeString).
/// </summary>
internal static class PodNames
{
    public const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";
    public const int SuffixLength = 5;

    public static string TemplateHash(V1PodTemplateSpec template)
    {
        var hash = Fnv1a32(Encoding.UTF8.GetBytes(KubernetesJson.Serialize(template)));
        return SafeEncode(hash.ToString(CultureInfo.InvariantCulture));
    }

    public static string SafeEncode(string text) =>
        string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = Alphabet[source[i] % Alphabet.Length];
            }
        });

    public static string RandomSuffix() => RandomNumberGenerator.GetString(Alphabet, SuffixLength);

    public static string PodName(string deployment, string templateHash, string suffix) =>
        $"{deployment}-{templateHash}-{suffix}";

    private static uint Fnv1a32(ReadOnlySpan<byte> data)
    {
        var hash = 2166136261u;
        foreach (var b in data)
        {
            hash = unchecked((hash ^ b) * 16777619u);
        }

        return hash;
    }
}
