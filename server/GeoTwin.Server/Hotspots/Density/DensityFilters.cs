using System.Globalization;
using GeoTwin.Server.Infrastructure.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GeoTwin.Server.Hotspots.Density;

/// <summary>
/// The shared hotspot filters (category, group, from, to, hours, weekdays, jurisdiction; HOTSPOTS.md) and the
/// density's own bandwidth, checked before they reach SQL. A stand-in until the hotspots API's own parser lands:
/// the lead unifies them, one parser for every hotspot endpoint.
/// </summary>
public sealed record DensityFilters(string[]? Categories, DateTimeOffset? From, DateTimeOffset? To, int[]? Hours, int[]? Weekdays,
    string? Jurisdiction, double? Bandwidth)
{
    /// <summary>Everything the incidents read and the surface depend on, in a canonical order.</summary>
    public string Key => string.Join('|', string.Join(',', Categories ?? []), From?.ToString("O"), To?.ToString("O"),
        string.Join(',', Hours ?? []), string.Join(',', Weekdays ?? []), Jurisdiction, Bandwidth?.ToString("R", CultureInfo.InvariantCulture));

    /// <summary>Largest bandwidth taken (metres): wider than a city the surface is a blur, and tiles read every point.</summary>
    public const double MaxBandwidth = 50_000;

    public static (DensityFilters? Filters, ProblemHttpResult? Error) Parse(IQueryCollection query)
    {
        var categories = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var value in query["category"])
        foreach (var code in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Vocabulary.IncidentCategories.Contains(code))
                return Fail("category", $"'{code}' is not one of {Vocabulary.IncidentCategories}");
            categories.Add(code);
        }
        foreach (var value in query["group"])
        {
            if (string.IsNullOrWhiteSpace(value)) continue;
            var group = Vocabulary.IncidentCategoryGroups.FirstOrDefault(g => g.Name == value.Trim());
            if (group is null)
                return Fail("group", $"'{value}' is not one of {string.Join(", ", Vocabulary.IncidentCategoryGroups.Select(g => g.Name))}");
            categories.UnionWith(group.Categories);                      // a group and categories: incidents of either
        }

        DateTimeOffset? from = null, to = null;
        if (Single(query, "from") is { } f)
        {
            if (!TryDate(f, out var d)) return Fail("from", $"'{f}' is not a date (e.g. 2025-01-31)");
            from = d;
        }
        if (Single(query, "to") is { } t)
        {
            if (!TryDate(t, out var d)) return Fail("to", $"'{t}' is not a date (e.g. 2025-12-31)");
            to = d;
        }
        if (from >= to) return Fail("to", $"must be after from ({from:yyyy-MM-dd}): from is inclusive and to exclusive, so the range is empty");

        var (hours, hoursError) = Ranges(Single(query, "hours"), "hours", 0, 23, "0-6,22-23");
        if (hoursError is not null) return (null, hoursError);
        var (weekdays, weekdaysError) = Ranges(Single(query, "weekdays"), "weekdays", 1, 7, "1-5 (ISO: 1 = Monday .. 7 = Sunday)");
        if (weekdaysError is not null) return (null, weekdaysError);

        var jurisdiction = Single(query, "jurisdiction");
        if (jurisdiction is not null && Problems.CheckText(jurisdiction, 40) is { } bad) return Fail("jurisdiction", bad);

        double? bandwidth = null;
        if (Single(query, "bandwidth") is { } b)
        {
            if (!double.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out var h) || !double.IsFinite(h) || h <= 0)
                return Fail("bandwidth", $"'{b}' is not a positive number of metres");
            if (h > MaxBandwidth) return Fail("bandwidth", $"{h} m is more than the largest taken, {MaxBandwidth} m");
            bandwidth = h;
        }
        return (new DensityFilters(categories.Count == 0 ? null : [.. categories], from, to, hours, weekdays, jurisdiction, bandwidth), null);
    }

    static (DensityFilters?, ProblemHttpResult?) Fail(string field, string reason) => (null, Problems.BadRequest(field, reason));

    static string? Single(IQueryCollection query, string name) => query[name] is { Count: > 0 } v && !string.IsNullOrWhiteSpace(v[^1]) ? v[^1]!.Trim() : null;

    static bool TryDate(string text, out DateTimeOffset date)
    {
        var ok = DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out date);
        date = date.ToUniversalTime();
        return ok;
    }

    /// <summary>"0-6,22-23" → the sorted distinct numbers; a range runs low to high (write 22-23,0-2 for a night).</summary>
    static (int[]? Values, ProblemHttpResult? Error) Ranges(string? text, string field, int min, int max, string example)
    {
        if (text is null) return (null, null);
        var set = new SortedSet<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var ends = part.Split('-', StringSplitOptions.TrimEntries);
            if (ends.Length > 2 || !ends.All(e => int.TryParse(e, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
                return (null, Problems.BadRequest(field, $"'{part}' is not a number or a range like {example}"));
            int lo = int.Parse(ends[0], CultureInfo.InvariantCulture), hi = int.Parse(ends[^1], CultureInfo.InvariantCulture);
            if (lo < min || hi > max) return (null, Problems.BadRequest(field, $"'{part}' is outside {min}-{max}"));
            if (lo > hi) return (null, Problems.BadRequest(field, $"'{part}' runs backwards; write it as two ranges, e.g. {example}"));
            for (var i = lo; i <= hi; i++) set.Add(i);
        }
        if (set.Count == 0) return (null, Problems.BadRequest(field, $"is empty; e.g. {example}"));
        return ([.. set], null);
    }
}
