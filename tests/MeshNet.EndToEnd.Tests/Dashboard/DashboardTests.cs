using System.Diagnostics;
using System.Text.Json;
using PuppeteerSharp;
using Xunit.Abstractions;

namespace MeshNet.EndToEnd.Tests.Dashboard;

/// <summary>
/// The dashboard at /ui of a running blog mesh, in the system's headless Chromium: the graph must show the blog's
/// Services and the traffic the frontend sends them, and a click on a Service must open its page, whose charts start
/// from the control plane's history rather than from the moment the page opened.
/// </summary>
public sealed class DashboardTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    // The frontend is called by the gateway (the test's traffic comes in at its LoadBalancer address), the rest by the frontend.
    private static readonly string[] Called = ["frontend", "users", "posts", "comments"];

    [Fact]
    public async Task Graph_ShowsBlogServicesAndLiveEdges_AndServicePageOpensOnClick_WithChartsFilledFromHistory()
    {
        Assert.True(File.Exists(DashboardPaths.Chromium), $"{DashboardPaths.Chromium} is missing: scripts/install-deps.sh installs Debian's chromium");
        await using var mesh = await BlogDemoMesh.StartAsync();
        await using var browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            Headless = true,
            ExecutablePath = DashboardPaths.Chromium,
            // Root (CI's containers) cannot use Chromium's sandbox.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        await using var page = await browser.NewPageAsync();
        await page.SetViewportAsync(new ViewPortOptions { Width = 1400, Height = 900 });
        var consoleErrors = new List<string>();
        page.Console += (_, e) =>
        {
            if (e.Message.Type == ConsoleType.Error)
            {
                consoleErrors.Add($"{e.Message.Text} ({e.Message.Location?.URL})");
            }
        };

        await page.GoToAsync(new Uri(mesh.Admin, "ui/").ToString());
        var graph = await WaitForGraphAsync(page, mesh);
        output.WriteLine($"graph: {graph}; {mesh.TrafficSummary}");

        var services = graph.GetProperty("services").EnumerateArray().Select(s => s.GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "frontend.blog", "users.blog", "posts.blog", "comments.blog" }, services);
        var edges = graph.GetProperty("edges").EnumerateArray().ToList();
        foreach (var service in Called)
        {
            Assert.Contains(edges, e => e.GetProperty("target").GetString() == $"svc:blog/{service}" && e.GetProperty("rps").GetDouble() > 0);
        }

        Directory.CreateDirectory(DashboardPaths.Results);
        await page.ScreenshotAsync(Path.Combine(DashboardPaths.Results, "graph.png"));
        if (DashboardPaths.ShouldUpdateReadmeScreenshot)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(DashboardPaths.ReadmeScreenshot)!);
            File.Copy(Path.Combine(DashboardPaths.Results, "graph.png"), DashboardPaths.ReadmeScreenshot, overwrite: true);
        }

        // Traffic that ran before the service page opens must be on its charts at once.
        var stepsWithTraffic = await WaitForHistoryAsync(mesh, steps: 2);

        // Hovering an edge shows that caller's own series to the Service.
        await HoverEdgeUntilItsTooltipHasDataAsync(page, "wl:blog/frontend->svc:blog/posts");
        var tip = await page.EvaluateExpressionAsync<string[]>("[document.getElementById('edge-tip').dataset.points, document.getElementById('edge-tip').textContent]");
        Assert.True(int.Parse(tip[0], System.Globalization.CultureInfo.InvariantCulture) > 1, $"the edge's tooltip has {tip[0]} points: {tip[1]}");
        Assert.StartsWith("frontend → posts.blog", tip[1], StringComparison.Ordinal);
        await page.ScreenshotAsync(Path.Combine(DashboardPaths.Results, "edge-tooltip.png"));

        // A real mouse click where cytoscape drew the node, not a synthetic event: the page must react to users.
        var at = await page.EvaluateFunctionAsync<double[]>("""
            () => {
              const cy = window.meshnetDashboard.cy;
              const node = cy.getElementById('svc:blog/posts');
              const box = cy.container().getBoundingClientRect();
              const p = node.renderedPosition();
              return [box.left + p.x, box.top + p.y];
            }
            """);
        await page.Mouse.ClickAsync((decimal)at[0], (decimal)at[1]);

        await page.WaitForSelectorAsync("#service-page[data-service='blog/posts'] #endpoints tbody tr", new WaitForSelectorOptions { Timeout = 30_000 });
        await page.WaitForFunctionAsync(
            "() => [...document.querySelectorAll('#service-tiles .tile')].some(t => t.textContent.endsWith('requests/s') && parseFloat(t.textContent) > 0)",
            new WaitForFunctionOptions { Timeout = 30_000 });
        // Set by the charts' first load, before any live point could be appended.
        await page.WaitForSelectorAsync("#service-page .chart[data-history-points]", new WaitForSelectorOptions { Timeout = 30_000 });
        var historyPoints = await page.EvaluateExpressionAsync<int[]>(
            "[...document.querySelectorAll('#service-page .chart')].map(c => Number(c.dataset.historyPoints))");
        output.WriteLine($"chart points from history: {string.Join(", ", historyPoints)}; steps with traffic before the page opened: {stepsWithTraffic}");
        Assert.Equal(3, historyPoints.Length);
        Assert.All(historyPoints, points => Assert.True(points > 1 && points >= stepsWithTraffic, $"a chart opened with {points} points"));
        var endpoints = await page.EvaluateExpressionAsync<string[]>(
            "[...document.querySelectorAll('#endpoints tbody tr')].map(r => r.textContent)");
        Assert.NotEmpty(endpoints);
        Assert.Contains(endpoints, e => e.Contains("ready", StringComparison.Ordinal) && !e.Contains("not ready", StringComparison.Ordinal));
        Assert.Equal("#/service/blog/posts", await page.EvaluateExpressionAsync<string>("location.hash"));
        await page.ScreenshotAsync(Path.Combine(DashboardPaths.Results, "service-posts.png"), new ScreenshotOptions { FullPage = true });

        await page.GoToAsync(new Uri(mesh.Admin, "ui/#/proxies").ToString());
        await page.WaitForSelectorAsync("#proxies table.proxies tbody tr", new WaitForSelectorOptions { Timeout = 30_000 });
        var statuses = await page.EvaluateExpressionAsync<string[]>(
            "[...document.querySelectorAll('#proxies tbody tr')].map(r => r.children[5].textContent)");
        Assert.Contains("SYNCED", statuses);
        await page.ScreenshotAsync(Path.Combine(DashboardPaths.Results, "proxies.png"));
        Assert.Empty(consoleErrors);
    }

    /// <summary>
    /// A real mouse move onto the edge's midpoint, until its tooltip has its series; moved again when the graph was
    /// laid out anew meanwhile (a Service or workload appeared) and the edge is no longer under the pointer.
    /// </summary>
    private static async Task HoverEdgeUntilItsTooltipHasDataAsync(IPage page, string edgeId)
    {
        for (var attempt = 1; ; attempt++)
        {
            var midpoint = await page.EvaluateFunctionAsync<double[]>(
                """
                (id) => {
                  const cy = window.meshnetDashboard.cy;
                  const box = cy.container().getBoundingClientRect();
                  const p = cy.getElementById(id).renderedMidpoint();
                  return [box.left + p.x, box.top + p.y];
                }
                """,
                edgeId);
            await page.Mouse.MoveAsync(0, 0);
            await page.Mouse.MoveAsync((decimal)midpoint[0], (decimal)midpoint[1]);
            try
            {
                await page.WaitForSelectorAsync("#edge-tip[data-points]:not([hidden])", new WaitForSelectorOptions { Timeout = 10_000 });
                return;
            }
            catch (WaitTaskTimeoutException) when (attempt < 3)
            {
            }
        }
    }

    /// <summary>Until the control plane's history of blog/posts has at least <paramref name="steps"/> steps with requests; how many it has.</summary>
    private static async Task<int> WaitForHistoryAsync(BlogDemoMesh mesh, int steps)
    {
        var deadline = Stopwatch.StartNew();
        var last = string.Empty;
        while (deadline.Elapsed < Deadline)
        {
            last = await mesh.Client.GetStringAsync(new Uri(mesh.Admin, "debug/stat/history?namespace=blog&service=posts"));
            using var history = JsonDocument.Parse(last);
            var withTraffic = history.RootElement.GetProperty("points").EnumerateArray().Count(p => p.GetProperty("requests").GetInt64() > 0);
            if (withTraffic >= steps)
            {
                return withTraffic;
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        Assert.Fail($"/debug/stat/history never had {steps} steps with traffic to blog/posts; last: {last}; {mesh.TrafficSummary}");
        return 0;
    }

    /// <summary>Until the live graph has an edge with traffic to every Service the frontend calls.</summary>
    private async Task<JsonElement> WaitForGraphAsync(IPage page, BlogDemoMesh mesh)
    {
        const string ReadGraph = """
            () => {
              const cy = window.meshnetDashboard && window.meshnetDashboard.cy;
              if (!cy) { return null; }
              return {
                services: cy.nodes('[kind = "service"]').map(n => `${n.data('name')}.${n.data('namespace')}`),
                edges: cy.edges().map(e => ({ source: e.data('source'), target: e.data('target'), rps: e.data('rps'), label: e.data('label') })),
                error: window.meshnetDashboard.lastError,
              };
            }
            """;
        var condition = $$"""
            () => {
              const cy = window.meshnetDashboard && window.meshnetDashboard.cy;
              if (!cy) { return false; }
              const wanted = {{JsonSerializer.Serialize(Called.Select(s => $"svc:blog/{s}"))}};
              return wanted.every(t => cy.edges().some(e => e.data('target') === t && e.data('rps') > 0));
            }
            """;
        try
        {
            await page.WaitForFunctionAsync(condition, new WaitForFunctionOptions { Timeout = (int)Deadline.TotalMilliseconds, PollingInterval = 500 });
        }
        catch (WaitTaskTimeoutException)
        {
            var seen = await page.EvaluateFunctionAsync<JsonElement?>(ReadGraph);
            var edges = await mesh.Client.GetStringAsync(new Uri(mesh.Admin, "debug/edges?window=30s"));
            Assert.Fail($"the graph never showed traffic to {string.Join(", ", Called)}; page: {seen}; /debug/edges: {edges}; {mesh.TrafficSummary}\n{mesh.Output}");
        }

        return await page.EvaluateFunctionAsync<JsonElement>(ReadGraph);
    }
}
