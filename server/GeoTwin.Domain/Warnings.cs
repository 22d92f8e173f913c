using System.Text.Json;

namespace GeoTwin.Domain;

/// <summary>
/// The four-colour rule for one kind of place: <see cref="From"/>[i] is the count (of counted incidents in a calendar
/// month) at which level i + 1 starts (yellow, orange, red, black by default: 1, 2, 4, 6). The one place the rule lives:
/// the pull, the recompute, the texts and the viewer's legend all call it.
/// </summary>
public sealed class WarningThresholds
{
    public IReadOnlyList<int> From { get; }

    public WarningThresholds(IReadOnlyList<int> from)
    {
        if (from.Count != WarningVocabulary.LevelCount - 1)
            throw new ArgumentException($"needs {WarningVocabulary.LevelCount - 1} counts (where yellow, orange, red and black start), got {from.Count}");
        for (var i = 0; i < from.Count; i++)
            if (from[i] < 1 || (i > 0 && from[i] <= from[i - 1]))
                throw new ArgumentException($"the counts must rise from at least 1, got {string.Join(",", from)}");
        From = [.. from];
    }

    /// <summary>"1,2,4,6" as a deployment writes it; refusal text names <paramref name="where"/>.</summary>
    public static WarningThresholds Parse(string text, string where)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var counts = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out counts[i]))
                throw new ArgumentException($"{where}: '{parts[i]}' is not a whole number (expected e.g. \"1,2,4,6\")");
        try { return new WarningThresholds(counts); }
        catch (ArgumentException e) { throw new ArgumentException($"{where}: {e.Message}", e); }
    }

    /// <summary>0 = none .. 4 = black.</summary>
    public int LevelIndex(int count)
    {
        var level = 0;
        while (level < From.Count && count >= From[level]) level++;
        return level;
    }

    public string LevelOf(int count) => Vocabulary.Warnings.Levels[LevelIndex(count)];

    /// <summary>
    /// One incident short of the next colour. A place with no incidents is not flagged (it has no warning to raise),
    /// nor is a place at the top level (there is no next colour).
    /// </summary>
    public bool IsOneShort(int count)
    {
        var level = LevelIndex(count);
        return count > 0 && level < From.Count && count == From[level] - 1;
    }

    public override string ToString() => string.Join(",", From);
}

/// <summary>The warnings section of vocabulary.json: place kinds, levels with colours and default thresholds, people's roles.</summary>
public sealed class WarningVocabulary
{
    public const int LevelCount = 5;
    public const string PatrolZone = "patrol_zone";

    public CodeList PlaceKinds { get; }
    /// <summary>The kinds an incident's own place can be (all but patrol zones), in the default order of preference.</summary>
    public IReadOnlyList<string> DefaultAssignOrder { get; }
    /// <summary>none, yellow, orange, red, black: ordered, so an index compares levels.</summary>
    public CodeList Levels { get; }
    public IReadOnlyDictionary<string, string> LevelColors { get; }
    public WarningThresholds DefaultThresholds { get; }
    public Label NearNextLabel { get; }
    public CodeList PersonRoles { get; }
    /// <summary>The incident categories the warning counts (the group named by countedGroup, 两抢一盗).</summary>
    public CategoryGroup Counted { get; }

    internal WarningVocabulary(JsonElement section, Func<string, CodeList> codes, IReadOnlyList<CategoryGroup> groups)
    {
        PlaceKinds = codes("placeKinds");
        var kinds = section.GetProperty("placeKinds");
        DefaultAssignOrder = [.. PlaceKinds.Where(k => kinds.GetProperty(k).TryGetProperty("assignOrder", out _))
            .OrderBy(k => kinds.GetProperty(k).GetProperty("assignOrder").GetInt32())];
        if (!PlaceKinds.Contains(PatrolZone) || DefaultAssignOrder.Contains(PatrolZone) || DefaultAssignOrder.Count != PlaceKinds.Count - 1)
            throw new InvalidOperationException("vocabulary.json warnings.placeKinds: every kind but patrol_zone needs an assignOrder");
        Levels = codes("levels");
        if (Levels.Count != LevelCount) throw new InvalidOperationException($"vocabulary.json warnings.levels: expected {LevelCount} levels");
        var levels = section.GetProperty("levels");
        LevelColors = Levels.ToDictionary(l => l, l => levels.GetProperty(l).GetProperty("color").GetString()!);
        DefaultThresholds = new WarningThresholds([.. Levels.Skip(1).Select(l => levels.GetProperty(l).GetProperty("from").GetInt32())]);
        var near = section.GetProperty("nearNext").GetProperty("label");
        NearNextLabel = new Label(near[0].GetString()!, near[1].GetString()!);
        PersonRoles = codes("personRoles");
        var counted = section.GetProperty("countedGroup").GetString();
        Counted = groups.FirstOrDefault(g => g.Name == counted)
            ?? throw new InvalidOperationException($"vocabulary.json warnings.countedGroup: '{counted}' is not an incident category group");
    }
}
