using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshNet.Cli.Local.Netns;

/// <summary>
/// Everything a netns-mode `up` created, written before each thing is created (so a crash between the two
/// leaves at most a name that does not exist, which `down` tolerates). `meshctl down` undoes it from here.
/// </summary>
internal sealed class NetnsState
{
    public int OwnerPid { get; set; }

    public string Bridge { get; set; } = string.Empty;

    public string? RunDirectory { get; set; }

    /// <summary>The control plane's admin URL, so `meshctl get` finds the running mesh without flags.</summary>
    public string? ControlPlaneAdmin { get; set; }

    public List<string> Namespaces { get; set; } = [];

    public List<string> Links { get; set; } = [];

    public List<string> EtcNetnsDirectories { get; set; } = [];

    /// <summary>iptables rules added in the root namespace, each as its arguments after "-A"/"-D".</summary>
    public List<List<string>> RootRules { get; set; } = [];

    public List<int> Pids { get; set; } = [];

    public static NetnsState? Load(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        return JsonSerializer.Deserialize(File.ReadAllText(path), NetnsStateJsonContext.Default.NetnsState);
    }

    /// <summary>Written to a temporary file and renamed, so a crash never leaves half a state file.</summary>
    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, NetnsStateJsonContext.Default.NetnsState));
        File.Move(temporary, path, overwrite: true);
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(NetnsState))]
internal sealed partial class NetnsStateJsonContext : JsonSerializerContext;
