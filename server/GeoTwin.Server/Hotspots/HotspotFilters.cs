using System.Globalization;
using System.Text;
using GeoTwin.Server.Infrastructure.Errors;

namespace GeoTwin.Server.Hotspots;

/// <summary>
/// This slice's refusals, made as the one <see cref="Refusal"/> (answered as problem+json by the RefusalHandler):
/// the detail reads "field: reason" and the field is named for clients.
/// </summary>
public static class HotspotRefusal
{
    public static Refusal Bad(string field, string reason) => Refusal.BadRequest(field, reason);

    public static Refusal Of(int status, string field, string reason, IDictionary<string, object?>? extensions = null) =>
        new(status, $"{field}: {reason}", field, extensions);
}

/// <summary>
/// The incident filters every hot spot endpoint shares, parsed and checked in this one place (the API contract's
/// names: category, group, from, to, hours, weekdays, jurisdiction). Codes come from GeoTwin.Domain's vocabulary;
/// hours and weekdays are read in <see cref="TimeZone"/>, the bureau's clock, not UTC.
/// </summary>
public sealed record HotspotFilters(
    IReadOnlyList<string>? Categories, string? Group, DateTimeOffset? From, DateTimeOffset? To,
    IReadOnlyList<int>? Hours, IReadOnlyList<int>? Weekdays, string? Jurisdiction, string TimeZone)
{
    /// <summary>Everything that changes which incidents are read, for cache keys.</summary>
    public string Key => string.Join('|', string.Join(',', Categories ?? []), From?.ToString("O"), To?.ToString("O"),
        string.Join(',', Hours ?? []), string.Join(',', Weekdays ?? []), Jurisdiction, TimeZone);

    /// <summary>The filters as the answer's "parameters used" record states them.</summary>
    public object Described => new
    {
        categories = Categories, group = Group, from = From, to = To, hours = Hours, weekdays = Weekdays, jurisdiction = Jurisdiction,
        timeZone = TimeZone,
        why = "hours and weekdays are read on the bureau's clock (timeZone); from is inclusive, to exclusive; merged duplicate reports are not counted",
    };

    public static HotspotFilters Parse(IQueryCollection query, string timeZone)
    {
        var categories = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var raw in query["category"])
            foreach (var code in (raw ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!Vocabulary.IncidentCategories.Contains(code))
                    throw HotspotRefusal.Bad("category", $"'{code}' is not an incident category; known: {Vocabulary.IncidentCategories}");
                categories.Add(code);
            }
        string? group = Single(query, "group");
        if (group is not null)
        {
            var found = Vocabulary.IncidentCategoryGroups.FirstOrDefault(g => g.Name == group)
                ?? throw HotspotRefusal.Bad("group", $"'{group}' is not a category group; known: {string.Join(", ", Vocabulary.IncidentCategoryGroups.Select(g => g.Name))}");
            // a group and categories together: the union, as ticking a group and one more box reads
            foreach (var c in found.Categories) categories.Add(c);
        }
        var from = Date(query, "from");
        var to = Date(query, "to");
        if (from is { } f && to is { } t && f >= t)
            throw HotspotRefusal.Of(422, "to", f == t
                ? $"the period from {f:yyyy-MM-dd} to {t:yyyy-MM-dd} is empty (to is exclusive)"
                : $"{t:O} is before from {f:O}: the period is reversed");
        var hours = Ranges(query, "hours", 0, 23, "hours of the day 0-23, e.g. 0-6,22-23");
        var weekdays = Ranges(query, "weekdays", 1, 7, "ISO weekdays 1 (Monday) to 7 (Sunday), e.g. 1-5");
        var jurisdiction = Single(query, "jurisdiction");
        if (jurisdiction is not null && (jurisdiction.Length > 40 || !jurisdiction.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')))
            throw HotspotRefusal.Bad("jurisdiction", "is not a jurisdiction code (letters, digits, _ and -, at most 40)");
        return new HotspotFilters(categories.Count == 0 ? null : [.. categories], group, from, to, hours, weekdays, jurisdiction, timeZone);
    }

    public static string? Single(IQueryCollection query, string name)
    {
        var values = query[name];
        if (values.Count > 1) throw HotspotRefusal.Bad(name, "give it once");
        var v = values.Count == 1 ? values[0]?.Trim() : null;
        return string.IsNullOrEmpty(v) ? null : v;
    }

    /// <summary>A positive number of metres, or null when not given.</summary>
    public static double? Metres(IQueryCollection query, string name)
    {
        var text = Single(query, name);
        if (text is null) return null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v) || v <= 0)
            throw HotspotRefusal.Bad(name, $"'{text}' is not a positive number of metres");
        return v;
    }

    static DateTimeOffset? Date(IQueryCollection query, string name)
    {
        var text = Single(query, name);
        if (text is null)
        {
            if (query.ContainsKey(name)) throw HotspotRefusal.Bad(name, "is empty: give an ISO date (e.g. 2025-03-01) or leave it out");
            return null;
        }
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var d))
            throw HotspotRefusal.Bad(name, $"'{text}' is not an ISO date (e.g. 2025-03-01 or 2025-03-01T08:00:00+08:00)");
        return d;
    }

    /// <summary>"0-6,22-23": single values and ranges; a range from high to low wraps (22-2 is 22, 23, 0, 1, 2). Null when a part is bad.
    /// The one reading of hour and weekday lists (hot spot filters, geofences' active hours).</summary>
    public static SortedSet<int>? ParseRanges(string text, int min, int max)
    {
        var set = new SortedSet<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var ends = part.Split('-', StringSplitOptions.TrimEntries);
            if (ends.Length is < 1 or > 2 || !ends.All(e => int.TryParse(e, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max))
                return null;
            var a = int.Parse(ends[0], CultureInfo.InvariantCulture);
            var b = ends.Length == 2 ? int.Parse(ends[1], CultureInfo.InvariantCulture) : a;
            for (var v = a; ; v = v == max ? min : v + 1)
            {
                set.Add(v);
                if (v == b) break;
            }
        }
        return set;
    }

    /// <summary>The first part of a list <see cref="ParseRanges"/> refuses, for the error message.</summary>
    public static string BadPart(string text, int min, int max) =>
        text.Split(',', StringSplitOptions.TrimEntries).FirstOrDefault(p => ParseRanges(p, min, max) is null) ?? text;

    static IReadOnlyList<int>? Ranges(IQueryCollection query, string name, int min, int max, string what)
    {
        var text = Single(query, name);
        if (text is null)
        {
            if (query.ContainsKey(name)) throw HotspotRefusal.Bad(name, $"is empty: give {what}, or leave it out for all");
            return null;
        }
        if (ParseRanges(text, min, max) is not { } set || set.Count == 0)
            throw HotspotRefusal.Bad(name, $"'{BadPart(text, min, max)}' is not within {min}-{max}: give {what}");
        return set.Count == max - min + 1 ? null : [.. set];
    }

    public static string Csv(IEnumerable<string> cells) => string.Join(',', cells.Select(c =>
        c.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + c.Replace("\"", "\"\"") + "\"" : c));

    internal static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    internal static StringBuilder Line(StringBuilder sb, params object?[] cells) =>
        sb.Append(Csv(cells.Select(c => c switch
        {
            null => "",
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => c.ToString() ?? "",
        }))).Append('\n');
}
