using System.Diagnostics;
using MeshNet.Cli.Commands;

namespace MeshNet.Cli.Tests.Completion;

/// <summary>The bash completion script run by a real bash against the real meshctl, as a terminal's Tab would.</summary>
public sealed class CompletionScriptTests
{
    [Theory]
    [InlineData("meshctl prox", "proxy-config\nproxy-status\n")]
    [InlineData("meshctl get p", "policies\npolicy\n")]
    public async Task Bash_CompletesCommandsFromMeshctlItself(string line, string expected)
    {
        if (!File.Exists("/bin/bash"))
        {
            return;
        }

        var meshctl = Path.Combine(AppContext.BaseDirectory, "meshctl.dll");
        var words = line.Split(' ');
        var script = string.Join('\n',
            $"meshctl() {{ dotnet '{meshctl}' \"$@\"; }}",
            CompletionCommand.Script("bash"),
            $"COMP_LINE='{line}'; COMP_POINT={line.Length}; COMP_WORDS=({string.Join(' ', words)}); COMP_CWORD={words.Length - 1}",
            "_meshctl_complete",
            "printf '%s\\n' \"${COMPREPLY[@]}\"");
        var start = new ProcessStartInfo("/bin/bash") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var bash = Process.Start(start)!;
        await bash.StandardInput.WriteAsync(script);
        bash.StandardInput.Close();
        var output = await bash.StandardOutput.ReadToEndAsync();
        await bash.WaitForExitAsync();

        Assert.Equal(expected, output);
    }

    [Theory]
    [InlineData("zsh", "compdef _meshctl meshctl")]
    [InlineData("fish", "complete -c meshctl")]
    public void Scripts_AskMeshctlThroughTheSuggestDirective(string shell, string registration)
    {
        var script = CompletionCommand.Script(shell);

        Assert.Contains("[suggest:", script, StringComparison.Ordinal);
        Assert.Contains(registration, script, StringComparison.Ordinal);
    }
}
