using System.Net.Security;
using System.Security.Authentication;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;

namespace MeshNet.ControlPlane.Injection;

/// <summary>The certificate the webhook listener serves, asked at every handshake so a renewal applies to the next connection.</summary>
internal sealed class WebhookCertificateSource(Func<SslStreamCertificateContext> current)
{
    public SslStreamCertificateContext Current => current();
}

internal static class WebhookTls
{
    private static readonly List<SslApplicationProtocol> Protocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];

    /// <summary>HTTPS only: the API server calls webhooks over TLS and verifies the certificate against the caBundle.</summary>
    public static void UseWebhookTls(ListenOptions listen)
    {
        ArgumentNullException.ThrowIfNull(listen);
        listen.Protocols = HttpProtocols.Http1AndHttp2;
        listen.UseHttps(new TlsHandshakeCallbackOptions
        {
            OnConnection = _ => ValueTask.FromResult(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = listen.ApplicationServices.GetRequiredService<WebhookCertificateSource>().Current,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                ApplicationProtocols = Protocols,
                ClientCertificateRequired = false,
            }),
        });
    }
}
