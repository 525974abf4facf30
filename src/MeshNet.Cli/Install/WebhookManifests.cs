using System.Text.Json.Nodes;
using k8s.Models;
using MeshNet.Kubernetes.Injection;

namespace MeshNet.Cli.Install;

/// <summary>
/// The MutatingWebhookConfiguration and, with cert-manager, its certificate. Two webhooks, because an admission
/// request does not carry its namespace's labels: the namespace selector that routed the call is how the injector
/// knows them. One matches namespaces labelled <c>meshnet.io/inject=enabled</c>; the other every namespace without
/// that label (nor <c>disabled</c>), where only pods annotated <c>meshnet.io/inject: enabled</c> are injected.
/// </summary>
internal static class WebhookManifests
{
    private static readonly string[] SystemNamespaces = ["kube-system"];

    public static V1MutatingWebhookConfiguration Configuration(InstallValues values)
    {
        var metadata = new V1ObjectMeta { Name = InstallNames.WebhookConfiguration, Labels = InstallNames.Labels() };
        if (values.CertManagerEnabled)
        {
            metadata.Annotations = new Dictionary<string, string> { ["cert-manager.io/inject-ca-from"] = $"{values.Namespace}/{InstallNames.WebhookCertificate}" };
        }

        return new V1MutatingWebhookConfiguration
        {
            ApiVersion = "admissionregistration.k8s.io/v1",
            Kind = "MutatingWebhookConfiguration",
            Metadata = metadata,
            Webhooks =
            [
                Webhook(
                    "namespace.inject.meshnet.io",
                    "/inject/namespace-enabled",
                    values,
                    new V1LabelSelectorRequirement { Key = InjectionNames.Inject, OperatorProperty = "In", Values = [InjectionNames.Enabled] },
                    values.WebhookFailurePolicy),
                // Ignore, whatever the value says: this one sees pods in nearly every namespace, and a control plane
                // that is down must not stop the whole cluster from creating pods. An annotated pod created while it
                // is down runs without a sidecar; label the namespace to make injection mandatory.
                Webhook(
                    "pod.inject.meshnet.io",
                    "/inject",
                    values,
                    new V1LabelSelectorRequirement { Key = InjectionNames.Inject, OperatorProperty = "NotIn", Values = [InjectionNames.Enabled, InjectionNames.Disabled] },
                    "Ignore"),
            ],
        };
    }

    private static V1MutatingWebhook Webhook(string name, string path, InstallValues values, V1LabelSelectorRequirement trigger, string failurePolicy) => new()
    {
        Name = name,
        AdmissionReviewVersions = ["v1"],
        SideEffects = "None",
        FailurePolicy = failurePolicy,
        TimeoutSeconds = values.WebhookTimeoutSeconds,
        ReinvocationPolicy = "IfNeeded",
        MatchPolicy = "Equivalent",
        ClientConfig = new Admissionregistrationv1WebhookClientConfig
        {
            Service = new Admissionregistrationv1ServiceReference { Name = InstallNames.ControlPlane, NamespaceProperty = values.Namespace, Path = path, Port = 443 },
        },
        Rules =
        [
            new V1RuleWithOperations { Operations = ["CREATE"], ApiGroups = [""], ApiVersions = ["v1"], Resources = ["pods"], Scope = "Namespaced" },
        ],
        NamespaceSelector = new V1LabelSelector
        {
            MatchExpressions =
            [
                trigger,
                new V1LabelSelectorRequirement
                {
                    Key = InjectionNames.NamespaceNameLabel,
                    OperatorProperty = "NotIn",
                    Values = [.. SystemNamespaces, values.Namespace],
                },
            ],
        },
    };

    /// <summary>cert-manager: a self-signed Issuer unless one is named, and the webhook's Certificate.</summary>
    public static IEnumerable<JsonObject> CertManager(InstallValues values)
    {
        var issuer = values.CertManagerIssuer;
        if (issuer.Length == 0)
        {
            issuer = InstallNames.SelfSignedIssuer;
            yield return new JsonObject
            {
                ["apiVersion"] = "cert-manager.io/v1",
                ["kind"] = "Issuer",
                ["metadata"] = Metadata(InstallNames.SelfSignedIssuer, values),
                ["spec"] = new JsonObject { ["selfSigned"] = new JsonObject() },
            };
        }

        var service = $"{InstallNames.ControlPlane}.{values.Namespace}.svc";
        yield return new JsonObject
        {
            ["apiVersion"] = "cert-manager.io/v1",
            ["kind"] = "Certificate",
            ["metadata"] = Metadata(InstallNames.WebhookCertificate, values),
            ["spec"] = new JsonObject
            {
                ["secretName"] = InstallNames.WebhookSecret,
                ["dnsNames"] = new JsonArray(service, $"{service}.{values.ClusterDomain}"),
                ["duration"] = "2160h",
                ["renewBefore"] = "720h",
                ["privateKey"] = new JsonObject { ["algorithm"] = "ECDSA", ["size"] = 256, ["rotationPolicy"] = "Always" },
                ["usages"] = new JsonArray("server auth", "digital signature", "key encipherment"),
                ["issuerRef"] = new JsonObject { ["kind"] = "Issuer", ["name"] = issuer },
            },
        };
    }

    private static JsonObject Metadata(string name, InstallValues values)
    {
        var labels = new JsonObject();
        foreach (var (key, value) in InstallNames.Labels())
        {
            labels[key] = value;
        }

        return new JsonObject { ["name"] = name, ["namespace"] = values.Namespace, ["labels"] = labels };
    }
}
