using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MeshNet.ControlPlane.Injection;
using MeshNet.Kubernetes.Injection;

namespace MeshNet.ControlPlane.Tests.Injection;

public sealed class AdmissionReviewHandlerTests
{
    private readonly AdmissionReviewHandler _handler = new(InjectionSettings.Default);

    [Fact]
    public void Answers_AnnotatedPod_WithBase64JsonPatch_AndEchoesUid()
    {
        var reply = Handle(AdmissionReviews.Annotated("705ab4f5-6393-11e8-b7cc-42010a800002"));

        Assert.Equal(200, reply.StatusCode);
        Assert.Equal("admission.k8s.io/v1", (string?)reply.Review["apiVersion"]);
        Assert.Equal("AdmissionReview", (string?)reply.Review["kind"]);
        var response = reply.Review["response"]!;
        Assert.Equal("705ab4f5-6393-11e8-b7cc-42010a800002", (string?)response["uid"]);
        Assert.True((bool)response["allowed"]!);
        Assert.Equal("JSONPatch", (string?)response["patchType"]);
        var patch = JsonNode.Parse(Convert.FromBase64String((string)response["patch"]!))!.AsArray();
        Assert.Contains(patch, op => (string?)op!["path"] == "/spec/initContainers" && op["value"]![1]!["name"]!.GetValue<string>() == "meshnet-proxy");
    }

    [Fact]
    public void DryRun_GetsTheSameAnswer()
    {
        var wet = Handle(AdmissionReviews.Annotated("u1"));
        var dry = Handle(AdmissionReviews.Annotated("u1", dryRun: true));

        Assert.True(dry.DryRun);
        Assert.False(wet.DryRun);
        Assert.Equal(wet.Review.ToJsonString(), dry.Review.ToJsonString());
    }

    [Fact]
    public void Injects_UnannotatedPod_OnlyThroughTheNamespaceEnabledWebhook()
    {
        var review = AdmissionReviews.Pod("u2");

        var podTrigger = _handler.Handle(Bytes(review), namespaceEnabled: false);
        var namespaceTrigger = _handler.Handle(Bytes(review), namespaceEnabled: true);

        Assert.Null(podTrigger.Review["response"]!["patch"]);
        Assert.True((bool)podTrigger.Review["response"]!["allowed"]!);
        Assert.NotNull(namespaceTrigger.Review["response"]!["patch"]);
    }

    [Fact]
    public void Allows_AnInjectedPod_WithoutPatch()
    {
        var review = AdmissionReviews.Pod("u3", new JsonObject { ["meshnet.io/inject"] = "enabled", ["meshnet.io/injected"] = "true" });

        var reply = Handle(review);

        Assert.True((bool)reply.Review["response"]!["allowed"]!);
        Assert.Null(reply.Review["response"]!["patch"]);
        Assert.Equal("already injected", reply.Summary);
    }

    [Theory]
    [InlineData("{not json", 400, "", "the body is not an AdmissionReview: ")]
    [InlineData("[1,2]", 400, "", "the body is not an AdmissionReview: the body is not a JSON object")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}""", 400, "", "the AdmissionReview has no request")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{}}""", 400, "", "the AdmissionReview request has no uid")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"b1"}}""", 200, "b1",
        "unsupported AdmissionReview admission.k8s.io/v1beta1: this webhook speaks AdmissionReview admission.k8s.io/v1")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"Pod","request":{"uid":"k1"}}""", 200, "k1",
        "unsupported Pod admission.k8s.io/v1: this webhook speaks AdmissionReview admission.k8s.io/v1")]
    [InlineData("""{"request":{"uid":"n1"}}""", 200, "n1",
        "unsupported (no kind) (no apiVersion): this webhook speaks AdmissionReview admission.k8s.io/v1")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"o1","resource":{"group":"","resource":"pods"},"operation":"CREATE"}}""", 200, "o1",
        "the AdmissionReview request has no pod object")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"o2","resource":{"group":"","resource":"pods"},"operation":"CREATE","object":{"spec":{"containers":"nope"}}}}""", 200, "o2",
        "meshnet: not a pod: ")]
    public void Refuses_MalformedReviews_WithAValidReview(string body, int httpStatus, string uid, string messageStart)
    {
        var reply = _handler.Handle(Encoding.UTF8.GetBytes(body), namespaceEnabled: true);

        Assert.Equal(httpStatus, reply.StatusCode);
        Assert.Equal("AdmissionReview", (string?)reply.Review["kind"]);
        var response = reply.Review["response"]!;
        Assert.Equal(uid, (string?)response["uid"]);
        Assert.False((bool)response["allowed"]!);
        Assert.Equal(400, (int)response["status"]!["code"]!);
        Assert.StartsWith(messageStart, (string?)response["status"]!["message"], StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_InvalidProxyResourceAnnotation_NamingIt()
    {
        var review = AdmissionReviews.Pod("r1", new JsonObject { ["meshnet.io/inject"] = "enabled", ["meshnet.io/proxy-memory-request"] = "lots" });

        var response = Handle(review).Review["response"]!;

        Assert.False((bool)response["allowed"]!);
        Assert.Equal("meshnet: annotation meshnet.io/proxy-memory-request: 'lots' is not a quantity (e.g. 100m, 0.5, 128Mi, 1Gi)", (string?)response["status"]!["message"]);
    }

    [Fact]
    public void Allows_OtherResources_WithAWarning_AndUpdatesSilently()
    {
        var other = AdmissionReviews.Annotated("d1");
        other["request"]!["resource"] = new JsonObject { ["group"] = "apps", ["version"] = "v1", ["resource"] = "deployments" };
        var update = AdmissionReviews.Pod("d2", new JsonObject { ["meshnet.io/inject"] = "enabled" }, operation: "UPDATE");

        var otherResponse = Handle(other).Review["response"]!;
        var updateResponse = Handle(update).Review["response"]!;

        Assert.True((bool)otherResponse["allowed"]!);
        Assert.Equal("meshnet: this webhook only injects pods; nothing changed", (string?)otherResponse["warnings"]![0]);
        Assert.True((bool)updateResponse["allowed"]!);
        Assert.Null(updateResponse["patch"]);
        Assert.Null(updateResponse["warnings"]);
    }

    private AdmissionReply Handle(JsonObject review) => _handler.Handle(Bytes(review), namespaceEnabled: false);

    private static byte[] Bytes(JsonObject review) => JsonSerializer.SerializeToUtf8Bytes(review);
}
