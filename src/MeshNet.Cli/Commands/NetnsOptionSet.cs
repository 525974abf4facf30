using System.CommandLine;
using MeshNet.Cli.Local.Netns;

namespace MeshNet.Cli.Commands;

/// <summary>The options `up` and `demo` share for choosing and shaping netns mode.</summary>
internal sealed class NetnsOptionSet
{
    private readonly Option<string> _mode = new("--mode")
    {
        Description = "auto (network namespaces when root, else loopback), netns or loopback",
        DefaultValueFactory = _ => "auto",
    };

    private readonly Option<string> _podCidr = new("--pod-cidr")
    {
        Description = "Pod CIDR in netns mode (a /16; the bridge takes .0.1)",
        DefaultValueFactory = _ => NetnsOptions.DefaultPodNetwork + "/16",
    };

    private readonly Option<string> _bridge = new("--bridge") { Description = "Bridge name in netns mode", DefaultValueFactory = _ => NetnsOptions.DefaultBridge };

    private readonly Option<string> _prefix = new("--netns-prefix")
    {
        Description = "Prefix of the namespaces and links created in netns mode",
        DefaultValueFactory = _ => NetnsOptions.DefaultPrefix,
    };

    private readonly Option<string> _stateFile = new("--state-file")
    {
        Description = "Where netns mode records what it created, for `meshctl down`",
        DefaultValueFactory = _ => NetnsOptions.DefaultStateFile,
    };

    public void AddTo(Command command)
    {
        _mode.AcceptOnlyFromAmong("auto", "netns", "loopback");
        command.Options.Add(_mode);
        command.Options.Add(_podCidr);
        command.Options.Add(_bridge);
        command.Options.Add(_prefix);
        command.Options.Add(_stateFile);
    }

    /// <summary>Null options mean loopback mode; falling back from auto says so in one line.</summary>
    public (NetnsOptions? Options, string? Error) Resolve(ParseResult parse, TextWriter output, string command)
    {
        var mode = parse.GetValue(_mode);
        if (mode == "loopback")
        {
            return (null, null);
        }

        if (!NetnsOptions.IsRoot)
        {
            if (mode == "netns")
            {
                return (null, $"meshctl {command}: --mode netns needs root (network namespaces, veth, iptables)");
            }

            output.WriteLine($"meshctl {command}: not root, so pods share loopback (explicit sidecars) instead of network namespaces");
            return (null, null);
        }

        var network = NetnsOptions.ParsePodCidr(parse.GetValue(_podCidr)!, out var error);
        return network is null
            ? (null, error)
            : (new NetnsOptions(network, parse.GetValue(_bridge)!, parse.GetValue(_prefix)!, parse.GetValue(_stateFile)!), null);
    }
}
