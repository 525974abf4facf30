using System.Diagnostics;
using System.Net;
using MeshNet.Proxy.Hosting;

namespace MeshNet.Proxy.Tests;

/// <summary>The DNS and interception flags of the sidecar, and `meshnet-proxy init` as a process.</summary>
public sealed class DnsAndInterceptionFlagsTests
{
    [Fact]
    public void Dns_DefaultsToTheOutboundAddressOnPort15053_BestEffort()
    {
        var options = ProxyCommandLine.Parse(["--outbound", "127.0.1.4:15001"], out _, out _)!;

        Assert.Equal((new IPEndPoint(IPAddress.Parse("127.0.1.4"), 15053), false), options.DnsListener);
        Assert.Equal(1337u, options.Mark);
        Assert.Null(options.DnsUpstream);
    }

    [Fact]
    public void Dns_GivenExplicitly_IsRequired_AndOffDisables()
    {
        var given = ProxyCommandLine.Parse(["--dns", "127.0.0.1:5353", "--dns-upstream", "127.0.0.1:53", "--mark", "0x10"], out var error, out _)!;
        var off = ProxyCommandLine.Parse(["--dns", "off"], out _, out _)!;

        Assert.Null(error);
        Assert.Equal((new IPEndPoint(IPAddress.Loopback, 5353), true), given.DnsListener);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 53), given.DnsUpstream);
        Assert.Equal(16u, given.Mark);
        Assert.Null(off.DnsListener);
    }

    [Theory]
    [InlineData("--dns", "localhost:53", "--dns: 'localhost:53' is not ADDR:PORT")]
    [InlineData("--dns-upstream", "127.0.0.1:0", "--dns-upstream: '127.0.0.1:0' needs a port (1-65535)")]
    [InlineData("--mark", "-1", "--mark: '-1' is not a number (decimal or 0x hex)")]
    public void Rejects_BadDnsAndMarkFlags(string flag, string value, string expected)
    {
        Assert.Null(ProxyCommandLine.Parse([flag, value], out var error, out _));
        Assert.Equal(expected, error);
    }

    [Fact]
    public async Task Init_DryRun_PrintsTheRuleset_WithoutTouchingIptables()
    {
        var (code, stdout, _) = await RunAsync("init", "--dry-run", "--outbound-port", "15101");

        Assert.Equal(0, code);
        Assert.StartsWith("*nat\n", stdout, StringComparison.Ordinal);
        Assert.Contains("-A MESHNET_OUTBOUND_REDIRECT -p tcp -j REDIRECT --to-ports 15101", stdout, StringComparison.Ordinal);
        Assert.EndsWith("COMMIT\n", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_BadFlag_ExitsTwo_WithTheReason()
    {
        var (code, _, stderr) = await RunAsync("init", "--dns-port", "x");

        Assert.Equal(2, code);
        Assert.Contains("meshnet-proxy init: --dns-port: 'x' is not a port (1-65535)", stderr, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(ProcessTests.ProxyDll());
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return (process.ExitCode, await stdout, await stderr);
    }
}
