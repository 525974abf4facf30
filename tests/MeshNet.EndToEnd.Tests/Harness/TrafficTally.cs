namespace MeshNet.EndToEnd.Tests.Harness;

/// <summary>Counts answers per backend and keeps the failures for the assertion message.</summary>
internal sealed class TrafficTally
{
    private readonly Dictionary<string, int> _byBackend = new(StringComparer.Ordinal);
    private readonly List<MeshResponse> _failures = [];

    public int Total { get; private set; }

    public IReadOnlyDictionary<string, int> ByBackend => _byBackend;

    public IReadOnlyList<MeshResponse> Failures => _failures;

    public void Add(MeshResponse response)
    {
        Total++;
        if (response.Succeeded)
        {
            _byBackend[response.Backend!] = _byBackend.GetValueOrDefault(response.Backend!) + 1;
        }
        else
        {
            _failures.Add(response);
        }
    }

    public override string ToString() =>
        $"{Total} requests: " + string.Join(", ", _byBackend.OrderBy(b => b.Key, StringComparer.Ordinal).Select(b => $"{b.Key}={b.Value}"))
        + (_failures.Count > 0 ? $"; {_failures.Count} failed, first: {_failures[0]}" : string.Empty);
}
