using System.Text.Json.Nodes;

namespace MeshNet.ControlPlane.Tests.Injection;

/// <summary>AdmissionReview requests as the API server sends them (admission.k8s.io/v1, a Pod CREATE).</summary>
internal static class AdmissionReviews
{
    public static JsonObject Pod(string uid, JsonObject? annotations = null, bool dryRun = false, string operation = "CREATE") => new()
    {
        ["apiVersion"] = "admission.k8s.io/v1",
        ["kind"] = "AdmissionReview",
        ["request"] = new JsonObject
        {
            ["uid"] = uid,
            ["kind"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["kind"] = "Pod" },
            ["resource"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["resource"] = "pods" },
            ["requestKind"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["kind"] = "Pod" },
            ["namespace"] = "blog",
            ["operation"] = operation,
            ["userInfo"] = new JsonObject { ["username"] = "system:serviceaccount:kube-system:replicaset-controller" },
            ["object"] = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Pod",
                ["metadata"] = new JsonObject
                {
                    ["generateName"] = "posts-v1-5c7d9b8f4-",
                    ["namespace"] = "blog",
                    ["labels"] = new JsonObject { ["app"] = "posts", ["version"] = "v1" },
                    ["annotations"] = annotations,
                },
                ["spec"] = new JsonObject
                {
                    ["serviceAccountName"] = "posts",
                    ["containers"] = new JsonArray(new JsonObject
                    {
                        ["name"] = "posts",
                        ["image"] = "ghcr.io/meshnet/blog-app:0.1.0",
                        ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["containerPort"] = 8080 }),
                    }),
                },
            },
            ["dryRun"] = dryRun,
        },
    };

    public static JsonObject Annotated(string uid, bool dryRun = false) =>
        Pod(uid, new JsonObject { ["meshnet.io/inject"] = "enabled" }, dryRun);
}
