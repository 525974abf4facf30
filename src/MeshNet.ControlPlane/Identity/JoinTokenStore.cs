using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshNet.ControlPlane.Identity;

/// <summary>
/// Join tokens for universal mode: a random secret handed out once, bound to one namespace + service account. Only
/// its SHA-256 is kept (in memory and in the state file), so a leaked state directory mints no certificates. A token
/// stays valid until it expires, because the sidecar renews its certificate with the same token.
/// </summary>
/// <remarks>Locking: every read and write of the table holds <c>_lock</c>; the state file is rewritten under it.</remarks>
internal sealed class JoinTokenStore
{
    public const string FileName = "join-tokens.json";

    /// <summary>Recognisable by secret scanners; 32 random bytes behind it (256 bits, no guessing).</summary>
    public const string Prefix = "mnjt_";

    public static readonly TimeSpan DefaultTtl = TimeSpan.FromHours(24);
    public static readonly TimeSpan MaxTtl = TimeSpan.FromDays(365);

    /// <summary>Expired tokens are kept this long so a late caller hears "expired" rather than "unknown".</summary>
    private static readonly TimeSpan ExpiredRetention = TimeSpan.FromDays(7);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, JoinTokenEntry> _byHash;
    private readonly string? _path;
    private readonly TimeProvider _time;

    /// <param name="directory">State directory; null keeps tokens in memory only (lost on restart).</param>
    /// <exception cref="InvalidDataException">The state file exists but is not a token file.</exception>
    public JoinTokenStore(string? directory, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _byHash = new Dictionary<string, JoinTokenEntry>(StringComparer.Ordinal);
        if (directory is null)
        {
            return;
        }

        Directory.CreateDirectory(directory);
        _path = Path.Combine(directory, FileName);
        if (!File.Exists(_path))
        {
            return;
        }

        try
        {
            var file = JsonSerializer.Deserialize(File.ReadAllBytes(_path), JoinTokenJsonContext.Default.JoinTokenFile);
            foreach (var entry in file?.Tokens ?? [])
            {
                _byHash[entry.Sha256] = entry;
            }
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{_path}: not a valid join token file: {ex.Message}", ex);
        }
    }

    public bool IsPersistent => _path is not null;

    /// <summary>Why a token for these names and lifetime cannot be issued, or null when it can.</summary>
    public static string? Validate(string ns, string serviceAccount, TimeSpan ttl) =>
        !SpiffeId.IsValidNamespace(ns) ? $"namespace \"{ns}\" is not a valid namespace name (RFC 1123 label)"
        : !SpiffeId.IsValidServiceAccount(serviceAccount) ? $"serviceAccount \"{serviceAccount}\" is not a valid service account name (RFC 1123 subdomain)"
        : ttl <= TimeSpan.Zero || ttl > MaxTtl ? $"ttl must be positive and at most {MaxTtl.TotalDays:0} days"
        : null;

    /// <summary>Mints a token; the caller shows it once and it is never retrievable again.</summary>
    /// <exception cref="ArgumentException">With the message of <see cref="Validate"/>.</exception>
    public IssuedJoinToken Issue(string ns, string serviceAccount, TimeSpan ttl)
    {
        if (Validate(ns, serviceAccount, ttl) is { } problem)
        {
            throw new ArgumentException(problem, nameof(ns));
        }

        var token = Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var now = _time.GetUtcNow();
        var entry = new JoinTokenEntry(Hash(token), ns, serviceAccount, now, now + ttl);
        lock (_lock)
        {
            foreach (var stale in _byHash.Values.Where(e => e.ExpiresAt + ExpiredRetention < now).ToList())
            {
                _byHash.Remove(stale.Sha256);
            }

            _byHash[entry.Sha256] = entry;
            Save();
        }

        return new IssuedJoinToken(token, entry);
    }

    /// <summary>The namespace + service account a token is bound to, or why it authenticates nothing.</summary>
    public bool TryAuthenticate(string token, [NotNullWhen(true)] out JoinTokenEntry? entry, [NotNullWhen(false)] out string? refusal)
    {
        ArgumentNullException.ThrowIfNull(token);
        lock (_lock)
        {
            // Looked up by hash: comparing hashes of 256-bit secrets leaks nothing useful through timing.
            _byHash.TryGetValue(Hash(token), out entry);
        }

        if (entry is null)
        {
            refusal = "join token unknown";
            return false;
        }

        if (entry.ExpiresAt <= _time.GetUtcNow())
        {
            refusal = $"join token for {entry.Namespace}/{entry.ServiceAccount} expired at {entry.ExpiresAt:u}";
            entry = null;
            return false;
        }

        refusal = null;
        return true;
    }

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private void Save()
    {
        if (_path is null)
        {
            return;
        }

        var file = new JoinTokenFile(1, [.. _byHash.Values.OrderBy(e => e.IssuedAt).ThenBy(e => e.Sha256, StringComparer.Ordinal)]);
        SecretFile.Write(_path, JsonSerializer.SerializeToUtf8Bytes(file, JoinTokenJsonContext.Default.JoinTokenFile));
    }
}

/// <param name="Sha256">Lower-case hex SHA-256 of the token's UTF-8 text; the token itself is never stored.</param>
internal sealed record JoinTokenEntry(string Sha256, string Namespace, string ServiceAccount, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt);

internal sealed record IssuedJoinToken(string Token, JoinTokenEntry Entry);

internal sealed record JoinTokenFile(int Version, List<JoinTokenEntry>? Tokens);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(JoinTokenFile))]
internal sealed partial class JoinTokenJsonContext : JsonSerializerContext;
