using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Injection;

/// <summary>
/// A serving certificate from PEM files (cert-manager's Secret, mounted). The kubelet swaps the mounted files when
/// cert-manager renews, so the files are looked at again, at most every <see cref="RecheckPeriod"/>, from the
/// handshake path; a renewal that fails to load keeps the certificate in force and is logged.
/// </summary>
internal sealed partial class WebhookCertificateFiles
{
    /// <summary>cert-manager renews well before expiry (default: a third of the lifetime left); a minute's lag is harmless.</summary>
    public static readonly TimeSpan RecheckPeriod = TimeSpan.FromSeconds(60);

    private readonly string _certFile;
    private readonly string _keyFile;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private SslStreamCertificateContext _context;
    private DateTime _loadedWriteTime;
    private DateTimeOffset _checkedAt;

    /// <exception cref="IOException">The files are missing or unreadable.</exception>
    /// <exception cref="System.Security.Cryptography.CryptographicException">They are not a PEM certificate and key.</exception>
    public WebhookCertificateFiles(string certFile, string keyFile, TimeProvider time, ILogger<WebhookCertificateFiles> logger)
    {
        _certFile = certFile;
        _keyFile = keyFile;
        _time = time;
        _logger = logger;
        _loadedWriteTime = LatestWriteTime();
        _context = Load();
        _checkedAt = time.GetUtcNow();
    }

    public SslStreamCertificateContext Current
    {
        get
        {
            var now = _time.GetUtcNow();
            lock (_lock)
            {
                if (now - _checkedAt < RecheckPeriod)
                {
                    return _context;
                }

                _checkedAt = now;
                try
                {
                    var written = LatestWriteTime();
                    if (written != _loadedWriteTime)
                    {
                        _context = Load();
                        _loadedWriteTime = written;
                        LogReloaded(_logger, _certFile);
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
                {
                    LogReloadFailed(_logger, _certFile, e.Message);
                }

                return _context;
            }
        }
    }

    private DateTime LatestWriteTime()
    {
        var cert = File.GetLastWriteTimeUtc(_certFile);
        var key = File.GetLastWriteTimeUtc(_keyFile);
        return cert > key ? cert : key;
    }

    /// <summary>The first certificate is the leaf; the rest (cert-manager puts the chain there) go out with it.</summary>
    private SslStreamCertificateContext Load()
    {
        var all = new X509Certificate2Collection();
        all.ImportFromPem(File.ReadAllText(_certFile));
        if (all.Count == 0)
        {
            throw new System.Security.Cryptography.CryptographicException($"no certificate in {_certFile}");
        }

        var leaf = X509Certificate2.CreateFromPem(all[0].ExportCertificatePem(), File.ReadAllText(_keyFile));
        all[0].Dispose();
        all.RemoveAt(0);
        return SslStreamCertificateContext.Create(leaf, all, offline: true);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook: reloaded the serving certificate from {File}")]
    private static partial void LogReloaded(ILogger logger, string file);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook: could not reload the serving certificate from {File}, keeping the current one: {Reason}")]
    private static partial void LogReloadFailed(ILogger logger, string file, string reason);
}
