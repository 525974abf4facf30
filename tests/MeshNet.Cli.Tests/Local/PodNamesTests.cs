using System.Text.RegularExpressions;
using k8s.Models;
using MeshNet.Cli.Local;

namespace MeshNet.Cli.Tests.Local;

public sealed class PodNamesTests
{
    [Theory]
    [InlineData("0123456789", "456789bcdf")]
    [InlineData("42", "86")]
    public void SafeEncode_MapsEachCharacterIntoTheVowelFreeAlphabet(string input, string expected)
    {
        Assert.Equal(expected, PodNames.SafeEncode(input));
    }

    [Fact]
    public void TemplateHash_IsStableForTheSameTemplateAndChangesWithIt()
    {
        var first = PodNames.TemplateHash(Template("v1"));

        Assert.Equal(first, PodNames.TemplateHash(Template("v1")));
        Assert.NotEqual(first, PodNames.TemplateHash(Template("v2")));
        Assert.Matches("^[bcdfghjklmnpqrstvwxz2456789]{1,10}$", first);
    }

    [Fact]
    public void PodName_FollowsTheReplicaSetPattern()
    {
        var name = PodNames.PodName("posts-v1", PodNames.TemplateHash(Template("v1")), PodNames.RandomSuffix());

        Assert.Matches(new Regex("^posts-v1-[bcdfghjklmnpqrstvwxz2456789]{1,10}-[bcdfghjklmnpqrstvwxz2456789]{5}$"), name);
    }

    private static V1PodTemplateSpec Template(string version) => new()
    {
        Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "posts", ["version"] = version } },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "posts", Image = "blog-app" }] },
    };
}
