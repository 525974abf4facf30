using Microsoft.Extensions.DependencyInjection;

namespace MeshNet.ControlPlane.Stats;

internal static class StatsServiceCollectionExtensions
{
    /// <summary>The sidecar scraper (a hosted service), its store and the queries behind /debug/stat and /debug/edges.</summary>
    public static IServiceCollection AddMeshStats(this IServiceCollection services, StatsOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<StatsStore>();
        services.AddSingleton<StatsQuery>();
        services.AddSingleton<StatsCollector>();
        services.AddHostedService(sp => sp.GetRequiredService<StatsCollector>());
        return services;
    }
}
