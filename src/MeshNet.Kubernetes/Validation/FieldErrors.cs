namespace MeshNet.Kubernetes.Validation;

/// <summary>A problem at one JSON path of a document ("spec.ports[0].targetPort").</summary>
public sealed record FieldError(string Field, string Message);

/// <summary>Collects the problems of one document; validators keep going after the first, as Kubernetes does.</summary>
internal sealed class FieldErrors
{
    private readonly List<FieldError> _errors = [];

    public IReadOnlyList<FieldError> Items => _errors;

    public void Add(string field, string message) => _errors.Add(new FieldError(field, message));

    /// <summary>Records <paramref name="error"/> when a rule returned one; true when the value was valid.</summary>
    public bool Check(string field, string? error)
    {
        if (error is null)
        {
            return true;
        }

        Add(field, error);
        return false;
    }
}
