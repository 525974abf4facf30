// Every test starts a control plane and several sidecars and backends as real processes. On two cores, test
// classes running side by side would starve each other's processes and turn deadlines into flakes.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
