using System.Runtime.CompilerServices;

// The balancing micro-benchmark drives ClusterEntry.Pick and DestinationLease.Complete directly.
[assembly: InternalsVisibleTo("MeshNet.Bench.Balancing")]
