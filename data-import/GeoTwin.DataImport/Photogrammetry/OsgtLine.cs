namespace GeoTwin.DataImport.Photogrammetry;

/// <summary>
/// OpenSceneGraph's ASCII format (.osgt) as a tree of lines: a line ending in "{" opens a block that the
/// matching "}" closes. Every line is a <see cref="OsgtLine"/>: its first token, the rest, and its block.
/// Array blocks ("vector 6746 { ... }") hold one line of numbers per element.
/// </summary>
internal sealed class OsgtLine(string name, string[] values)
{
    public string Name { get; } = name;
    public string[] Values { get; } = values;
    public List<OsgtLine> Block { get; } = [];

    public static OsgtLine Parse(TextReader reader)
    {
        var root = new OsgtLine("", []);
        var open = new Stack<OsgtLine>();
        open.Push(root);
        while (reader.ReadLine() is { } raw)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            if (line == "}")
            {
                if (open.Count == 1) throw new InvalidDataException("an .osgt block closes that was never opened");
                open.Pop();
                continue;
            }
            var tokens = Tokens(line);
            var opens = tokens[^1] == "{";
            if (opens) tokens.RemoveAt(tokens.Count - 1);
            var node = new OsgtLine(tokens.Count > 0 ? tokens[0] : "", tokens.Skip(1).ToArray());
            open.Peek().Block.Add(node);
            if (opens) open.Push(node);
        }
        return root;
    }

    /// <summary>Whitespace-separated, a double-quoted string (file names, paths) as one token without its quotes.</summary>
    private static List<string> Tokens(string line)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < line.Length)
        {
            if (char.IsWhiteSpace(line[i])) { i++; continue; }
            if (line[i] == '"')
            {
                var end = line.IndexOf('"', i + 1);
                if (end < 0) end = line.Length;
                tokens.Add(line[(i + 1)..end]);
                i = end + 1;
                continue;
            }
            var start = i;
            while (i < line.Length && !char.IsWhiteSpace(line[i])) i++;
            tokens.Add(line[start..i]);
        }
        return tokens;
    }

    public OsgtLine? Child(string name) => Block.FirstOrDefault(l => l.Name == name);

    /// <summary>This block and every block inside it, depth first, that is named <paramref name="name"/>.</summary>
    public IEnumerable<OsgtLine> Descendants(string name)
    {
        foreach (var line in Block)
        {
            if (line.Name == name) yield return line;
            foreach (var d in line.Descendants(name)) yield return d;
        }
    }

    /// <summary>The numbers of an array block, element after element.</summary>
    public IEnumerable<double> Numbers() =>
        Block.SelectMany(l => l.Values.Prepend(l.Name)).Select(t => double.Parse(t, System.Globalization.CultureInfo.InvariantCulture));
}
