using System.Text;

namespace MeshNet.Cli.Output;

/// <summary>
/// kubectl-style tables: left-aligned columns three spaces apart, the first row the header. With colour on, the
/// header is bold and cells the caller marks are coloured; padding is computed on the plain text, so columns stay
/// aligned either way.
/// </summary>
internal static class Table
{
    public static string Format(IReadOnlyList<IReadOnlyList<string>> rows, bool color = false, Func<int, string, AnsiColor>? colorOf = null)
    {
        if (rows.Count == 0)
        {
            return string.Empty;
        }

        var widths = new int[rows.Max(r => r.Count)];
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Count; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        var text = new StringBuilder();
        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            for (var i = 0; i < row.Count; i++)
            {
                var cell = row[i];
                var padding = i < row.Count - 1 ? new string(' ', widths[i] + 3 - cell.Length) : string.Empty;
                var paint = !color ? AnsiColor.None : r == 0 ? AnsiColor.Bold : colorOf?.Invoke(i, cell) ?? AnsiColor.None;
                text.Append(Ansi.Paint(cell, paint)).Append(padding);
            }

            text.Append('\n');
        }

        return text.ToString();
    }
}

internal enum AnsiColor
{
    None,
    Bold,
    Green,
    Yellow,
    Red,
}

/// <summary>Colour only on a terminal, and never when NO_COLOR is set (no-color.org) or TERM is "dumb".</summary>
internal static class Ansi
{
    public static bool Enabled(bool redirected, string? noColor, string? term) =>
        !redirected && string.IsNullOrEmpty(noColor) && term != "dumb";

    public static bool StdoutEnabled() =>
        Enabled(Console.IsOutputRedirected, Environment.GetEnvironmentVariable("NO_COLOR"), Environment.GetEnvironmentVariable("TERM"));

    public static string Paint(string text, AnsiColor color) => color switch
    {
        AnsiColor.Bold => $"\u001b[1m{text}\u001b[0m",
        AnsiColor.Green => $"\u001b[32m{text}\u001b[0m",
        AnsiColor.Yellow => $"\u001b[33m{text}\u001b[0m",
        AnsiColor.Red => $"\u001b[31m{text}\u001b[0m",
        _ => text,
    };
}
