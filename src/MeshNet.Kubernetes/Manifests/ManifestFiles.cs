using System.Security.Cryptography;
using System.Text;

namespace MeshNet.Kubernetes.Manifests;

/// <summary>A manifest file's content and its hash, to tell a real change from a touch.</summary>
internal sealed record ManifestFileContent(string Text, string Hash);

/// <summary>Finding and reading manifest files, shared by the one-shot loader and the watching source.</summary>
internal static class ManifestFiles
{
    /// <summary>
    /// Dot-files and dot-directories are skipped: editors keep swap and lock files there, and a mounted
    /// ConfigMap holds every file twice (under "..data" and "..2024_..."), which would read as duplicates.
    /// </summary>
    private static readonly EnumerationOptions Options = new()
    {
        RecurseSubdirectories = true,
        AttributesToSkip = FileAttributes.Hidden,
        IgnoreInaccessible = true,
        MatchType = MatchType.Simple,
        ReturnSpecialDirectories = false,
    };

    public static bool IsManifest(string path)
    {
        var name = Path.GetFileName(path);
        return !name.StartsWith('.')
            && (name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Origin (the path relative to <paramref name="directory"/>, '/'-separated) to full path, in ordinal order.</summary>
    public static SortedDictionary<string, string> Enumerate(string directory)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(directory, "*", Options))
        {
            var relative = Path.GetRelativePath(directory, path);
            if (IsManifest(path) && !relative.Split(Path.DirectorySeparatorChar).Any(segment => segment.StartsWith('.')))
            {
                files[relative.Replace(Path.DirectorySeparatorChar, '/')] = path;
            }
        }

        return files;
    }

    public static async Task<ManifestFileContent> ReadAsync(string path, CancellationToken cancellationToken)
    {
        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        return FromBytes(bytes);
    }

    public static ManifestFileContent FromBytes(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }

        return new ManifestFileContent(text, Convert.ToHexString(SHA256.HashData(bytes)));
    }
}
