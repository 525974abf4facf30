using System.Collections.Immutable;
using MeshNet.Cli.Local;

namespace MeshNet.Cli.Tests.Local;

public sealed class SidecarSettingsTests
{
    [Fact]
    public void Builds_TheMeshnetProxyCommandLineForAPod()
    {
        var pod = new PodIdentity(
            "posts-v2-abc-xyz12", "blog", "127.0.1.9", "posts",
            ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("version", "v2"), KeyValuePair.Create("app", "posts")]));
        var sidecar = new SidecarSettings(pod, 8080, [KeyValuePair.Create("http", 8080)], "/healthz");

        var arguments = sidecar.ToArguments(new Uri("http://127.0.0.1:41234/"));

        Assert.Equal(
            [
                "--control-plane", "http://127.0.0.1:41234",
                "--name", "posts-v2-abc-xyz12",
                "--namespace", "blog",
                "--labels", "app=posts,version=v2",
                "--service-account", "posts",
                "--app-address", "127.0.1.9",
                "--app-port", "8080",
                "--port", "http=8080",
                "--inbound", "127.0.1.9:15006",
                "--outbound", "127.0.1.9:15001",
                "--admin", "127.0.1.9:15000",
                "--readiness-path", "/healthz",
            ],
            arguments);
        Assert.Equal("http://127.0.1.9:15001/", sidecar.OutboundUrl.ToString());
    }

    [Fact]
    public void Omits_LabelsAndReadinessPathWhenAbsent()
    {
        var pod = new PodIdentity("client", "blog", "127.0.1.20", "default", ImmutableSortedDictionary<string, string>.Empty);

        var arguments = new SidecarSettings(pod, 8080, [], null).ToArguments(new Uri("http://127.0.0.1:15010"));

        Assert.DoesNotContain("--labels", arguments);
        Assert.DoesNotContain("--readiness-path", arguments);
    }
}
