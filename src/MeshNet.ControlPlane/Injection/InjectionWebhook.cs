using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Injection;

/// <summary>
/// <c>POST /inject</c> (pod-annotation trigger) and <c>POST /inject/namespace-enabled</c> (namespace-label trigger),
/// served only on the webhook listener: the admin and gRPC ports answer 404 for them.
/// </summary>
internal static partial class InjectionWebhook
{
    public const string Path = "/inject";
    public const string NamespaceEnabledPath = "/inject/namespace-enabled";

    /// <param name="boundEndPoint">The webhook listener's address; asked per request because port 0 is bound late.</param>
    public static void UseInjectionWebhook(this IApplicationBuilder app, Func<System.Net.IPEndPoint?> boundEndPoint)
    {
        ArgumentNullException.ThrowIfNull(boundEndPoint);
        app.MapWhen(
            context => context.Connection.LocalPort == boundEndPoint()?.Port,
            branch => branch.Run(HandleAsync));
    }

    private static async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value;
        if (path is not (Path or NamespaceEnabledPath))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = "POST";
            return;
        }

        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(InjectionWebhook).FullName!);
        var body = await ReadBodyAsync(context).ConfigureAwait(false);
        if (body is null)
        {
            LogTooLarge(logger, context.Request.ContentLength);
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return;
        }

        var handler = context.RequestServices.GetRequiredService<AdmissionReviewHandler>();
        var reply = handler.Handle(body.WrittenSpan, namespaceEnabled: path == NamespaceEnabledPath);
        var response = reply.Review["response"]!;
        LogReviewed(logger, (string?)response["uid"] ?? string.Empty, reply.DryRun, reply.StatusCode, reply.Summary);
        context.Response.StatusCode = reply.StatusCode;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(reply.Review), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The body, or null when it is larger than <see cref="AdmissionReviewHandler.MaxBodyBytes"/> (declared or actual).</summary>
    private static async Task<ArrayBufferWriter<byte>?> ReadBodyAsync(HttpContext context)
    {
        if (context.Request.ContentLength > AdmissionReviewHandler.MaxBodyBytes)
        {
            return null;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            // One byte over the cap so "exactly at the cap" and "over it" can be told apart below.
            limit.MaxRequestBodySize = AdmissionReviewHandler.MaxBodyBytes + 1;
        }

        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        try
        {
            while (true)
            {
                var read = await context.Request.Body.ReadAsync(buffer.GetMemory(16 * 1024), context.RequestAborted).ConfigureAwait(false);
                if (read == 0)
                {
                    return buffer;
                }

                buffer.Advance(read);
                if (buffer.WrittenCount > AdmissionReviewHandler.MaxBodyBytes)
                {
                    return null;
                }
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook: review {Uid} (dryRun={DryRun}) -> HTTP {Status}: {Summary}")]
    private static partial void LogReviewed(ILogger logger, string uid, bool dryRun, int status, string summary);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook: refused a review body over 1 MiB (Content-Length {Length})")]
    private static partial void LogTooLarge(ILogger logger, long? length);
}
