using System.Globalization;

namespace MeshNet.Model;

/// <summary>Naming rules shared by the compiler, DNS and the CLI (Kubernetes DNS specification, cluster ids).</summary>
public static class MeshNames
{
    public const string DefaultClusterDomain = "cluster.local";

    /// <summary>"posts.blog.svc.cluster.local".</summary>
    public static string ServiceFqdn(string ns, string name, string clusterDomain = DefaultClusterDomain) =>
        $"{name}.{ns}.svc.{clusterDomain}";

    /// <summary>"outbound|80||posts.blog.svc.cluster.local": Istio's cluster naming, readable and sortable.</summary>
    public static string OutboundClusterName(string fqdn, int port) =>
        string.Create(CultureInfo.InvariantCulture, $"outbound|{port}||{fqdn}");

    /// <summary>"posts.blog.svc.cluster.local:80".</summary>
    public static string VirtualHostName(string fqdn, int port) =>
        string.Create(CultureInfo.InvariantCulture, $"{fqdn}:{port}");

    /// <summary>
    /// The host names a client in <paramref name="clientNamespace"/> may use for a Service, as the DNS search
    /// path "&lt;ns&gt;.svc.&lt;zone&gt; svc.&lt;zone&gt; &lt;zone&gt;" would resolve them: the bare name only
    /// from the Service's own namespace, "name.ns" and longer from anywhere.
    /// </summary>
    public static IEnumerable<string> ServiceHostAliases(string ns, string name, string clientNamespace, string clusterDomain = DefaultClusterDomain)
    {
        if (string.Equals(ns, clientNamespace, StringComparison.Ordinal))
        {
            yield return name;
        }

        yield return $"{name}.{ns}";
        yield return $"{name}.{ns}.svc";
        yield return ServiceFqdn(ns, name, clusterDomain);
    }

    /// <summary>"blog/posts".</summary>
    public static string NamespacedName(string ns, string name) => $"{ns}/{name}";
}
