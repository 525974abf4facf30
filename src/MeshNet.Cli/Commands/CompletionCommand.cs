using System.CommandLine;

namespace MeshNet.Cli.Commands;

/// <summary>
/// `meshctl completion bash|zsh|fish`: a script for the shell's startup file. The scripts ask meshctl itself for
/// candidates through System.CommandLine's [suggest:POSITION] directive, so they never go stale and need no
/// dotnet-suggest tool.
/// </summary>
internal static class CompletionCommand
{
    public static readonly IReadOnlyList<string> Shells = ["bash", "zsh", "fish"];

    public static Command Build()
    {
        var shell = new Argument<string>("SHELL") { Description = "bash, zsh or fish" };
        shell.AcceptOnlyFromAmong([.. Shells]);
        var command = new Command("completion", "Print a shell completion script (e.g. `source <(meshctl completion bash)`)") { shell };
        command.SetAction(parse =>
        {
            Console.Out.Write(Script(parse.GetValue(shell)!));
            return 0;
        });
        return command;
    }

    public static string Script(string shell) => shell switch
    {
        "bash" => """
            # meshctl completion for bash: source <(meshctl completion bash)
            _meshctl_complete() {
                local IFS=$'\n'
                local candidates
                candidates=$(meshctl "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)
                COMPREPLY=($(compgen -W "${candidates}" -- "${COMP_WORDS[COMP_CWORD]}"))
            }
            complete -o default -F _meshctl_complete meshctl

            """,
        "zsh" => """
            #compdef meshctl
            # meshctl completion for zsh: source <(meshctl completion zsh)
            _meshctl() {
                local -a candidates
                candidates=("${(@f)$(meshctl "[suggest:${CURSOR}]" "${BUFFER}" 2>/dev/null)}")
                compadd -- ${candidates}
            }
            compdef _meshctl meshctl

            """,
        "fish" => """
            # meshctl completion for fish: meshctl completion fish | source
            complete -c meshctl -f -a '(meshctl "[suggest:"(commandline -C)"]" (commandline) 2>/dev/null)'

            """,
        _ => throw new ArgumentOutOfRangeException(nameof(shell), shell, "bash, zsh or fish"),
    };
}
