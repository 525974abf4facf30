using System.Diagnostics;

namespace MeshNet.Proxy.Tests.Infrastructure;

/// <summary>The real dig client: answers as a resolver would see them.</summary>
public static class Dig
{
    /// <summary>Runs "dig @127.0.0.1 -p PORT +short [+tcp] NAME TYPE" and returns the answer lines.</summary>
    public static async Task<string[]> ShortAsync(int port, string name, string type = "A", bool tcp = false, string server = "127.0.0.1")
    {
        var (_, stdout) = await RunAsync(server, port, tcp, "+short", name, type);
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>The status word of the header ("NOERROR", "NXDOMAIN", "SERVFAIL").</summary>
    public static async Task<string> StatusAsync(int port, string name, string type = "A")
    {
        var (_, stdout) = await RunAsync("127.0.0.1", port, false, "+noall", "+comments", name, type);
        var marker = "status: ";
        var at = stdout.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(at >= 0, stdout);
        return stdout[(at + marker.Length)..].Split(',')[0];
    }

    private static async Task<(int Code, string Stdout)> RunAsync(string server, int port, bool tcp, params string[] args)
    {
        var info = new ProcessStartInfo("dig") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("@" + server);
        info.ArgumentList.Add("-p");
        info.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        info.ArgumentList.Add("+time=2");
        info.ArgumentList.Add("+tries=1");
        if (tcp)
        {
            info.ArgumentList.Add("+tcp");
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        await stderr;
        return (process.ExitCode, await stdout);
    }
}
