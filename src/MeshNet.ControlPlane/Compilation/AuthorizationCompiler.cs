using System.Runtime.CompilerServices;
using MeshNet.Model;
using MeshNet.Model.Security;
using Proto = MeshNet.Protocol.V1;

namespace MeshNet.ControlPlane.Compilation;

/// <summary>
/// AuthorizationPolicy (model) to its wire form: service accounts become SPIFFE principals
/// ("spiffe://TRUST-DOMAIN/ns/NS/sa/SA"). Each policy is converted once and the message shared by every sidecar it
/// applies to (messages are never mutated after compilation).
/// </summary>
internal sealed class AuthorizationCompiler
{
    private readonly ConditionalWeakTable<AuthorizationPolicy, Proto.AuthorizationPolicy> _compiled = [];

    public AuthorizationCompiler(string trustDomain = DefaultTrustDomain)
    {
        TrustDomain = trustDomain;
    }

    public const string DefaultTrustDomain = "cluster.local";

    public string TrustDomain { get; }

    public Proto.AuthorizationPolicy Compile(AuthorizationPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return _compiled.GetValue(policy, Convert);
    }

    private Proto.AuthorizationPolicy Convert(AuthorizationPolicy policy)
    {
        var message = new Proto.AuthorizationPolicy
        {
            Name = MeshNames.NamespacedName(policy.Namespace, policy.Name),
            Action = policy.Action == AuthorizationAction.Deny ? Proto.AuthorizationPolicy.Types.Action.Deny : Proto.AuthorizationPolicy.Types.Action.Allow,
        };
        foreach (var rule in policy.Rules)
        {
            var compiled = new Proto.AuthorizationRule();
            foreach (var source in rule.From)
            {
                var from = new Proto.AuthorizationSource();
                from.Principals.AddRange(source.ServiceAccounts.Select(Principal));
                from.Namespaces.AddRange(source.Namespaces);
                compiled.From.Add(from);
            }

            foreach (var operation in rule.To)
            {
                var to = new Proto.AuthorizationOperation();
                to.Ports.AddRange(operation.Ports.Select(p => (uint)p));
                to.Methods.AddRange(operation.Methods);
                to.Paths.AddRange(operation.Paths);
                compiled.To.Add(to);
            }

            message.Rules.Add(compiled);
        }

        return message;
    }

    /// <summary>"blog/frontend" to "spiffe://cluster.local/ns/blog/sa/frontend" (validated as namespace/name at the edge).</summary>
    private string Principal(string serviceAccount)
    {
        var slash = serviceAccount.IndexOf('/', StringComparison.Ordinal);
        return $"spiffe://{TrustDomain}/ns/{serviceAccount[..slash]}/sa/{serviceAccount[(slash + 1)..]}";
    }
}
