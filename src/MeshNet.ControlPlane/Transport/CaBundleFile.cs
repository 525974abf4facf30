using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MeshNet.ControlPlane.Transport;

/// <summary>
/// Keeps &lt;state-dir&gt;/ca-bundle.pem equal to the trust bundle in force, so tools and sidecars on this host can
/// bootstrap trust in the gRPC port (--control-plane-ca). Public data: mode 0644. Replaced atomically (temp file and
/// rename) so a reader never sees half a bundle; rewritten only when the roots change.
/// </summary>
internal sealed class CaBundleFile(string path)
{
    private readonly Lock _lock = new();
    private string? _written;

    public string Path { get; } = path;

    /// <returns>True when the file was (re)written.</returns>
    public bool Write(IEnumerable<X509Certificate2> roots)
    {
        var pem = new StringBuilder();
        foreach (var root in roots)
        {
            pem.Append(root.ExportCertificatePem()).Append('\n');
        }

        var text = pem.ToString();
        lock (_lock)
        {
            if (string.Equals(text, _written, StringComparison.Ordinal))
            {
                return false;
            }

            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            var temp = Path + ".tmp";
            File.WriteAllText(temp, text);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }

            File.Move(temp, Path, overwrite: true);
            _written = text;
            return true;
        }
    }
}
