// Each test runs a whole mesh of real processes in network namespaces; side by side on two cores they would
// starve each other and turn deadlines into flakes.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
