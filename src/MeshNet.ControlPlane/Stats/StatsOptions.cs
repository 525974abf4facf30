namespace MeshNet.ControlPlane.Stats;

/// <param name="Interval">How often every connected sidecar's /metrics is scraped; zero turns scraping off.</param>
/// <param name="Retention">How long scrapes are kept: the longest window a query may ask for.</param>
internal sealed record StatsOptions(TimeSpan Interval, TimeSpan Retention)
{
    /// <summary>5 s scrapes for 15 min: 180 scrapes of a few dozen series per sidecar.</summary>
    public static StatsOptions Default { get; } = new(TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(15));

    public static readonly TimeSpan DefaultWindow = TimeSpan.FromSeconds(30);
}
