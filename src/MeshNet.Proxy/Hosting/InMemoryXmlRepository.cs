using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace MeshNet.Proxy.Hosting;

/// <summary>
/// Keeps ASP.NET data-protection keys in memory. YARP registers data protection (for session-affinity
/// cookies) and its default key ring is a folder under $HOME, written at startup; a sidecar must not write to
/// disk (read-only root file systems) and has no cookie that must outlive the process.
/// </summary>
internal sealed class InMemoryXmlRepository : IXmlRepository
{
    private readonly Lock _lock = new();
    private readonly List<XElement> _elements = [];

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        lock (_lock)
        {
            return [.. _elements.Select(e => new XElement(e))];
        }
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        lock (_lock)
        {
            _elements.Add(new XElement(element));
        }
    }
}
