using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace MeshNet.Cli.Tests.Install;

/// <summary>A YAML stream split into documents, each parsed back into its KubernetesClient type.</summary>
internal static class ManifestDocuments
{
    private static readonly Dictionary<string, Type> Types = new()
    {
        ["CustomResourceDefinition"] = typeof(V1CustomResourceDefinition),
        ["Namespace"] = typeof(V1Namespace),
        ["ServiceAccount"] = typeof(V1ServiceAccount),
        ["ClusterRole"] = typeof(V1ClusterRole),
        ["ClusterRoleBinding"] = typeof(V1ClusterRoleBinding),
        ["Role"] = typeof(V1Role),
        ["RoleBinding"] = typeof(V1RoleBinding),
        ["Service"] = typeof(V1Service),
        ["Deployment"] = typeof(V1Deployment),
        ["PodDisruptionBudget"] = typeof(V1PodDisruptionBudget),
        ["MutatingWebhookConfiguration"] = typeof(V1MutatingWebhookConfiguration),
    };

    /// <summary>cert-manager kinds have no KubernetesClient type: they come back as JSON.</summary>
    public static List<object> Parse(string yaml)
    {
        var documents = new List<object>();
        foreach (var text in yaml.Split("\n---\n").Select(d => d.Trim()).Where(d => d.Length > 0 && d != "---"))
        {
            var header = KubernetesYaml.Deserialize<KubernetesObject>(text);
            Assert.False(string.IsNullOrEmpty(header.Kind), $"a document without kind:\n{text}");
            if (header.ApiVersion == "cert-manager.io/v1")
            {
                documents.Add(JsonNode.Parse(KubernetesJson.Serialize(KubernetesYaml.Deserialize<object>(text)))!);
                continue;
            }

            Assert.True(Types.TryGetValue(header.Kind, out var type), $"unexpected kind {header.Kind}");
            // strict: a field the type does not have (a typo in the renderer or a template) fails the parse.
            var deserialize = typeof(KubernetesYaml).GetMethods().Single(m => m.Name == nameof(KubernetesYaml.Deserialize) && m.IsGenericMethod && m.GetParameters()[0].ParameterType == typeof(string));
            documents.Add(deserialize.MakeGenericMethod(type!).Invoke(null, [text, true])!);
        }

        return documents;
    }

    public static T Single<T>(this List<object> documents) => documents.OfType<T>().Single();
}
