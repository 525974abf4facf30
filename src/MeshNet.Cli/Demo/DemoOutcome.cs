namespace MeshNet.Cli.Demo;

/// <summary>
/// One demo request. It succeeded only when the frontend answered 200 and every backend call it made succeeded,
/// so a broken hop anywhere in the mesh shows up as a failure with its reason.
/// </summary>
internal sealed record DemoOutcome(TimeSpan Latency, string? Failure, IReadOnlyList<ServiceReply> Answers)
{
    public bool Succeeded => Failure is null;

    public static DemoOutcome FromReply(TimeSpan latency, FrontendReply reply)
    {
        var answers = new List<ServiceReply> { new(reply.Service, reply.Version, reply.Pod) };
        string? failure = null;
        foreach (var call in reply.Calls ?? [])
        {
            if (call.Ok && call.AnsweredBy is { } answer)
            {
                answers.Add(answer);
            }
            else
            {
                failure ??= $"{call.Target}: {(call.Status is { } status ? $"{status} " : string.Empty)}{call.Error}".TrimEnd();
            }
        }

        return new DemoOutcome(latency, failure, answers);
    }

    public static DemoOutcome Failed(TimeSpan latency, string reason) => new(latency, reason, []);
}
