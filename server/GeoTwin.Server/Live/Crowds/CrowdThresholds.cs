using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GeoTwin.Server.Live.Crowds;

/// <summary>
/// One period of an area's day: from <see cref="From"/> minutes after local midnight until the next period's start,
/// the counts at which the area turns yellow, orange and red: fractions of its capacity, or (<see cref="Absolute"/>)
/// head counts.
/// </summary>
public sealed record CrowdPeriod(
    [property: JsonPropertyName("from")] int From,
    [property: JsonPropertyName("yellow")] double Yellow,
    [property: JsonPropertyName("orange")] double Orange,
    [property: JsonPropertyName("red")] double Red,
    [property: JsonPropertyName("absolute")] bool Absolute = false);

/// <summary>The levels of crowd_levels in vocabulary.json, least severe first; the one place their order is used.</summary>
public static class CrowdLevels
{
    public const string Normal = "normal", Yellow = "yellow", Orange = "orange", Red = "red";
    public static IReadOnlyList<string> All { get; } = Check(Vocabulary.CrowdLevels);

    static IReadOnlyList<string> Check(CodeList levels) =>
        levels.SequenceEqual([Normal, Yellow, Orange, Red]) ? levels
            : throw new InvalidOperationException($"vocabulary.json crowdLevels must be normal, yellow, orange, red in that order, not {levels}");

    /// <summary>0 (normal) to 3 (red); -1 for a code that is not a level.</summary>
    public static int Severity(string level) => Array.IndexOf(Order, level);
    static readonly string[] Order = [Normal, Yellow, Orange, Red];
}

/// <summary>
/// An area's thresholds by time of day, and the one rule that turns a count into a level. Rising is immediate; falling
/// takes a count below the current level's threshold by <see cref="Hysteresis"/> (of that threshold), so a count that
/// hovers at a threshold does not raise a warning and its end every minute.
/// </summary>
public sealed class CrowdThresholds
{
    /// <summary>How far below a level's threshold the count must fall before the level drops (5 %).</summary>
    public const double Hysteresis = 0.05;
    public const int MaxPeriods = 48;

    public IReadOnlyList<CrowdPeriod> Periods { get; }

    CrowdThresholds(List<CrowdPeriod> periods) => Periods = periods;

    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>What is stored in crowd_areas.thresholds.</summary>
    public string ToJson() => JsonSerializer.Serialize(Periods, Json);

    /// <summary>Thresholds as stored (already checked when they were written).</summary>
    public static CrowdThresholds FromJson(string json) => new(JsonSerializer.Deserialize<List<CrowdPeriod>>(json, Json)!);

    /// <summary>
    /// Checks periods as given to the API ("from" as "HH:MM"); throws nothing: returns the field and the reason of the
    /// first problem instead, the field relative to the periods' array ("[2].orange").
    /// </summary>
    public static (CrowdThresholds? Thresholds, string? Field, string? Problem) Parse(IReadOnlyList<ThresholdBody?>? periods)
    {
        if (periods is not { Count: > 0 }) return (null, "", "give at least one period, e.g. [{\"from\": \"00:00\", \"yellow\": 0.6, \"orange\": 0.8, \"red\": 0.95}]");
        if (periods.Count > MaxPeriods) return (null, "", $"at most {MaxPeriods} periods a day");
        var list = new List<CrowdPeriod>(periods.Count);
        for (var i = 0; i < periods.Count; i++)
        {
            var p = periods[i];
            if (p is null) return (null, $"[{i}]", "must be an object");
            if (!TryMinutes(p.From, out var from)) return (null, $"[{i}].from", "must be a time of day HH:MM (00:00 to 23:59)");
            if (i == 0 && from != 0) return (null, $"[{i}].from", "the first period must start at 00:00, so every minute of the day has thresholds");
            if (i > 0 && from <= list[^1].From) return (null, $"[{i}].from", "periods must be in order of their start, each later than the one before");
            var absolute = p.Absolute ?? false;
            foreach (var (name, value) in new[] { ("yellow", p.Yellow), ("orange", p.Orange), ("red", p.Red) })
            {
                if (value is not { } v || !double.IsFinite(v)) return (null, $"[{i}].{name}", "is required (a number)");
                if (absolute && (v < 1 || v > 10_000_000 || v != Math.Floor(v))) return (null, $"[{i}].{name}", "must be a whole head count from 1 (absolute thresholds)");
                if (!absolute && v is <= 0 or > 2) return (null, $"[{i}].{name}", "must be a fraction of the capacity above 0 and at most 2 (e.g. 0.8 for 80 %)");
            }
            if (!(p.Yellow < p.Orange && p.Orange < p.Red)) return (null, $"[{i}]", "needs yellow < orange < red");
            list.Add(new CrowdPeriod(from, p.Yellow!.Value, p.Orange!.Value, p.Red!.Value, absolute));
        }
        return (new CrowdThresholds(list), null, null);
    }

    static bool TryMinutes(string? text, out int minutes)
    {
        minutes = 0;
        if (text is null || !TimeOnly.TryParseExact(text, ["HH:mm", "H:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)) return false;
        minutes = t.Hour * 60 + t.Minute;
        return true;
    }

    /// <summary>The period in force at a local time of day.</summary>
    public CrowdPeriod PeriodAt(TimeOnly localTime)
    {
        var minute = localTime.Hour * 60 + localTime.Minute;
        var current = Periods[0];
        foreach (var p in Periods)
            if (p.From <= minute) current = p;
        return current;
    }

    /// <summary>The head counts of yellow, orange and red in the period in force.</summary>
    public static (double Yellow, double Orange, double Red) Counts(CrowdPeriod p, int capacity) =>
        p.Absolute ? (p.Yellow, p.Orange, p.Red) : (p.Yellow * capacity, p.Orange * capacity, p.Red * capacity);

    /// <summary>The level of a count at a local time of day, given the level the area is at now (for the hysteresis).</summary>
    public string Level(int count, int capacity, TimeOnly localTime, string current)
    {
        var (yellow, orange, red) = Counts(PeriodAt(localTime), capacity);
        double[] at = [0, yellow, orange, red];
        var reached = count >= red ? 3 : count >= orange ? 2 : count >= yellow ? 1 : 0;
        var now = Math.Max(0, CrowdLevels.Severity(current));
        if (reached >= now) return CrowdLevels.All[reached];
        // Falling: to the highest level between the one reached and the current one that the count has not clearly left.
        for (var l = now; l > reached; l--)
            if (count >= at[l] * (1 - Hysteresis)) return CrowdLevels.All[l];
        return CrowdLevels.All[reached];
    }
}

/// <summary>A period as the API takes it: "from" as "HH:MM", the three thresholds, and whether they are head counts.</summary>
public sealed record ThresholdBody(string? From, double? Yellow, double? Orange, double? Red, bool? Absolute);
