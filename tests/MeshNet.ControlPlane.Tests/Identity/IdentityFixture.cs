using MeshNet.ControlPlane.Identity;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace MeshNet.ControlPlane.Tests.Identity;

/// <summary>A CA generated in memory, an in-memory token store and the issuer over them, on a fake clock.</summary>
internal sealed class IdentityFixture : IDisposable
{
    /// <summary>Whole seconds: certificate times have one-second precision, so equality assertions stay exact.</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    public IdentityFixture(IdentityOptions? options = null, string? stateDirectory = null)
    {
        Options = options ?? IdentityOptions.Default;
        Time = new FakeTimeProvider(Start);
        Authority = CertificateAuthorityLoader.Load(Options, stateDirectory, Time, NullLogger.Instance);
        Tokens = new JoinTokenStore(stateDirectory, Time);
        Issuer = new CertificateIssuer(new CertificateAuthorityProvider(Authority, Time), Tokens, Options, Time);
        PostsToken = Tokens.Issue("blog", "posts", TimeSpan.FromHours(1)).Token;
    }

    public IdentityOptions Options { get; }

    public FakeTimeProvider Time { get; }

    public CertificateAuthority Authority { get; }

    public JoinTokenStore Tokens { get; }

    public CertificateIssuer Issuer { get; }

    /// <summary>Bound to blog/posts, valid for an hour from <see cref="Start"/>.</summary>
    public string PostsToken { get; }

    public void Dispose() => Authority.Dispose();
}
