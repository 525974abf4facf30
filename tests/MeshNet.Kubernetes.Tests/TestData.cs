namespace MeshNet.Kubernetes.Tests;

internal static class TestData
{
    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "testdata", name);

    public static string Read(string name) => File.ReadAllText(Path(name));
}
