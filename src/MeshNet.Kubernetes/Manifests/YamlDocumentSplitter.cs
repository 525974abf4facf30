namespace MeshNet.Kubernetes.Manifests;

/// <summary>One "---"-separated section of a manifest file.</summary>
/// <param name="Index">Zero-based position of the section in the file.</param>
/// <param name="FirstLine">One-based line of the file where the section starts, to make parse errors point home.</param>
internal sealed record YamlDocumentText(int Index, int FirstLine, string Text);

/// <summary>
/// Splits a manifest file on document separator lines before any YAML parsing, as kubectl's YAML reader does,
/// so that a syntax error in one document cannot take the other documents of the file down with it.
/// </summary>
internal static class YamlDocumentSplitter
{
    public static IReadOnlyList<YamlDocumentText> Split(string text)
    {
        var documents = new List<YamlDocumentText>();
        var current = new System.Text.StringBuilder();
        var firstLine = 1;
        var lineNumber = 0;
        var sawSeparator = false;

        foreach (var line in EnumerateLines(text))
        {
            lineNumber++;
            if (IsSeparator(line))
            {
                AddSection(documents, current, firstLine, isLeading: !sawSeparator);
                sawSeparator = true;
                current.Clear();
                firstLine = lineNumber;
            }

            current.Append(line).Append('\n');
        }

        AddSection(documents, current, firstLine, isLeading: !sawSeparator);
        return documents;
    }

    private static void AddSection(List<YamlDocumentText> documents, System.Text.StringBuilder section, int firstLine, bool isLeading)
    {
        var text = section.ToString();

        // Text before the first separator is only a document when it holds something: a file that starts
        // with "---" (or a comment and then "---") must not count an empty document 0.
        if (isLeading && IsBlank(text))
        {
            return;
        }

        documents.Add(new YamlDocumentText(documents.Count, firstLine, text));
    }

    /// <summary>"---" alone, or followed by whitespace (and possibly inline content or a comment).</summary>
    private static bool IsSeparator(string line) =>
        line.StartsWith("---", StringComparison.Ordinal) && (line.Length == 3 || char.IsWhiteSpace(line[3]));

    /// <summary>True when the text has nothing but whitespace, comments and document markers.</summary>
    internal static bool IsBlank(string text)
    {
        foreach (var raw in EnumerateLines(text))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#' || line == "---" || line == "...")
            {
                continue;
            }

            return false;
        }

        return true;
    }

    private static IEnumerable<string> EnumerateLines(string text)
    {
        using var reader = new StringReader(text);
        while (reader.ReadLine() is { } line)
        {
            yield return line;
        }
    }
}
