using System.Diagnostics;
using System.Globalization;
using System.Net;
using MeshNet.Dns.Server;
using MeshNet.Dns.Tests.TestSupport;
using Xunit.Abstractions;

namespace MeshNet.Dns.Tests;

/// <summary>The real <c>dig</c> against a real server: what a pod's resolver would see. Skipped, with the reason printed, without dig.</summary>
public sealed class DigTests : IAsyncLifetime
{
    private static readonly string? Dig = FindDig();

    private readonly ITestOutputHelper _output;
    private readonly DnsServer _server;

    public DigTests(ITestOutputHelper output)
    {
        _output = output;
        var table = DnsRecordTable.Build([.. BlogZone.Services, BigZone.Headless(200)], ["blog"]);
        _server = new DnsServer(new DnsResponder(table), new DnsServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) });
    }

    public Task InitializeAsync()
    {
        _server.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Dig_ResolvesAServiceA()
    {
        if (SkippedWithoutDig())
        {
            return;
        }

        Assert.Equal(["10.96.0.20"], await ShortAsync("posts.blog.svc.cluster.local", "A"));
    }

    [Fact]
    public async Task Dig_ResolvesAServiceAaaa()
    {
        if (SkippedWithoutDig())
        {
            return;
        }

        Assert.Equal(["fd00::20"], await ShortAsync("posts.blog.svc.cluster.local", "AAAA"));
    }

    [Fact]
    public async Task Dig_ResolvesSrv()
    {
        if (SkippedWithoutDig())
        {
            return;
        }

        Assert.Equal(["0 100 80 posts.blog.svc.cluster.local."], await ShortAsync("_http._tcp.posts.blog.svc.cluster.local", "SRV"));
    }

    [Fact]
    public async Task Dig_ResolvesPtr_WithDashX()
    {
        if (SkippedWithoutDig())
        {
            return;
        }

        Assert.Equal(["posts.blog.svc.cluster.local."], await ShortAsync("-x", "10.96.0.20"));
    }

    [Fact]
    public async Task Dig_ResolvesOverTcp()
    {
        if (SkippedWithoutDig())
        {
            return;
        }

        Assert.Equal(["10.96.0.21"], await ShortAsync("users.blog.svc.cluster.local", "A", "+tcp"));
    }

    [Fact]
    public async Task Dig_ReadsTheSchemaVersion()
    {
        if (SkippedWithoutDig())
        {
            return;
        }

        Assert.Equal(["\"1.1.0\""], await ShortAsync("dns-version.cluster.local", "TXT"));
    }

    [Fact]
    public async Task Dig_SeesNxDomain_ForAMissingService()
    {
        if (SkippedWithoutDig())
        {
            return;
        }

        var output = await DigAsync("nope.blog.svc.cluster.local", "A");

        Assert.Contains("status: NXDOMAIN", output, StringComparison.Ordinal);
        Assert.Contains("flags: qr aa rd", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dig_GetsTC_ForALargeHeadlessAnswer_ThenEverythingOverTcp()
    {
        if (SkippedWithoutDig())
        {
            return;
        }

        var udpOnly = await DigAsync("big.blog.svc.cluster.local", "A", "+ignore", "+noedns");
        Assert.Contains(" tc", udpOnly.Split('\n').First(l => l.Contains("flags:", StringComparison.Ordinal)), StringComparison.Ordinal);

        // dig retries over TCP on its own when it sees TC.
        var all = await ShortAsync("big.blog.svc.cluster.local", "A");
        Assert.Equal(200, all.Count);
        Assert.Equal(200, all.Distinct().Count());
    }

    private async Task<List<string>> ShortAsync(params string[] arguments)
    {
        var output = await DigAsync([.. arguments, "+short"]);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
    }

    private async Task<string> DigAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(Dig!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("@127.0.0.1");
        start.ArgumentList.Add("-p");
        start.ArgumentList.Add(_server.LocalEndPoint.Port.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add("+time=5");
        start.ArgumentList.Add("+tries=1");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var stdout = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var stderr = process.StandardError.ReadToEndAsync(deadline.Token);
        await process.WaitForExitAsync(deadline.Token);
        var output = await stdout;
        _output.WriteLine($"dig {string.Join(' ', arguments)} -> exit {process.ExitCode}\n{output}{await stderr}");
        return output;
    }

    /// <summary>xUnit 2 has no runtime skip: a test without dig prints why and returns.</summary>
    private bool SkippedWithoutDig()
    {
        if (Dig is null)
        {
            _output.WriteLine("SKIPPED: dig is not installed (apt-get install -y dnsutils)");
            return true;
        }

        return false;
    }

    private static string? FindDig()
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(directory, "dig");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
