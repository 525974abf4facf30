using k8s.Models;
using MeshNet.Cli.Local;

namespace MeshNet.Cli.Tests.Local;

public sealed class ContainerCommandTests
{
    [Theory]
    [InlineData("blog-app")]
    [InlineData("/usr/local/bin/blog-app")]
    [InlineData("blog-app.dll")]
    public void Resolves_CommandToItsAssemblyRunByDotnet_FollowedByCommandRestAndArgs(string executable)
    {
        var container = new V1Container { Name = "app", Command = [executable, "--role"], Args = ["posts"] };

        var (fileName, arguments) = ContainerCommand.Resolve(container, name => $"/bin/{name}.dll");

        Assert.Equal(DotnetHost.Path, fileName);
        Assert.Equal(["/bin/blog-app.dll", "--role", "posts"], arguments);
    }

    [Fact]
    public void Rejects_ContainerWithoutCommand()
    {
        var container = new V1Container { Name = "web", Image = "nginx:1.27" };

        var error = Assert.Throws<ManifestException>(() => ContainerCommand.Resolve(container, name => name));

        Assert.Equal("container web (nginx:1.27) has no command: universal mode runs command[0] as <command>.dll", error.Message);
    }
}
