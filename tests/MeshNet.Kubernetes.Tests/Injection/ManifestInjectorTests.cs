using k8s;
using k8s.Models;
using MeshNet.Kubernetes.Injection;
using MeshNet.Kubernetes.Manifests;

namespace MeshNet.Kubernetes.Tests.Injection;

public sealed class ManifestInjectorTests
{
    [Fact]
    public void Injects_EveryPodTemplate_AndPassesOtherDocumentsThrough()
    {
        var (output, report) = ManifestInjector.Inject(InjectionGolden.Read("workloads.input.yaml"), InjectionSettings.Default);

        InjectionGolden.Assert("workloads.injected.yaml", output);
        Assert.Equal(
            [
                ("service/posts", (InjectionOutcome?)null, "not a workload"),
                ("deployment/posts-v1", InjectionOutcome.Injected, "injected"),
                ("cronjob/cleanup", InjectionOutcome.Injected, "injected"),
                ("pod/debug", InjectionOutcome.Skipped, "pod annotation meshnet.io/inject: disabled"),
            ],
            report.Select(r => (r.Resource, r.Outcome, r.Reason)));
        Assert.Contains("name: posts   # the name clients use", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Output_ParsesBack_IntoKubernetesTypes_WithStringsKeptStrings()
    {
        var (output, _) = ManifestInjector.Inject(InjectionGolden.Read("workloads.input.yaml"), InjectionSettings.Default);

        var documents = YamlDocumentSplitter.Split(output).Select(d => YamlJsonConverter.Convert(d.Text)!.RootElement.GetRawText()).ToList();

        var deployment = KubernetesJson.Deserialize<V1Deployment>(documents[1]);
        Assert.Equal("1.10", deployment.Spec.Template.Metadata.Labels["version"]);
        Assert.Equal("yes", deployment.Spec.Template.Spec.Containers[0].Env[0].Value);
        Assert.Equal(["meshnet-init", "meshnet-proxy"], deployment.Spec.Template.Spec.InitContainers.Select(c => c.Name));
        var cron = KubernetesJson.Deserialize<V1CronJob>(documents[2]);
        Assert.Equal("*/5 * * * *", cron.Spec.Schedule);
        Assert.Equal("Always", cron.Spec.JobTemplate.Spec.Template.Spec.InitContainers[1].RestartPolicy);
    }

    [Fact]
    public void InjectingItsOwnOutput_ChangesNothing()
    {
        var (once, _) = ManifestInjector.Inject(InjectionGolden.Read("workloads.input.yaml"), InjectionSettings.Default);

        var (twice, report) = ManifestInjector.Inject(once, InjectionSettings.Default);

        Assert.Equal(once, twice);
        Assert.Equal(2, report.Count(r => r.Reason == "already injected"));
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("yes", "\"yes\"")]
    [InlineData("1.10", "\"1.10\"")]
    [InlineData("0755", "\"0755\"")]
    [InlineData("*/5 * * * *", "\"*/5 * * * *\"")]
    [InlineData("$(POD_IP):15006", "$(POD_IP):15006")]
    [InlineData("a: b", "\"a: b\"")]
    [InlineData("", "\"\"")]
    [InlineData("--port", "--port")]
    [InlineData("- x", "\"- x\"")]
    [InlineData("-", "\"-\"")]
    [InlineData("---", "\"---\"")]
    [InlineData("12:30", "\"12:30\"")]
    public void Quotes_OnlyScalarsThatWouldReadAsSomethingElse(string value, string written)
    {
        Assert.Equal(written, ManifestYamlWriter.Scalar(value));
    }
}
