using GeoTwin.Server.Live.Crowds;

namespace GeoTwin.Server.Tests.Live.Crowds;

/// <summary>The one rule that turns a count into a crowd level: periods of the day, fractions or head counts, hysteresis.</summary>
public sealed class CrowdThresholdsTests
{
    // Night (00:00) lenient by fraction, day (10:00) stricter, evening (21:00) in head counts.
    static CrowdThresholds Day() => CrowdThresholds.Parse(
    [
        new ThresholdBody("00:00", 0.5, 0.7, 0.9, null),
        new ThresholdBody("10:00", 0.7, 0.85, 0.95, false),
        new ThresholdBody("21:00", 300, 500, 700, true),
    ]).Thresholds!;

    static TimeOnly At(int h, int m = 0) => new(h, m);

    [Theory]
    [InlineData(9, 59, 499, "normal")]
    [InlineData(9, 59, 500, "yellow")]   // night: yellow at 50 % of 1000
    [InlineData(9, 59, 700, "orange")]
    [InlineData(9, 59, 900, "red")]
    [InlineData(10, 0, 500, "normal")]   // the day's period starts at 10:00: the same 500 is nothing yet
    [InlineData(10, 0, 700, "yellow")]
    [InlineData(15, 30, 849, "yellow")]
    [InlineData(15, 30, 850, "orange")]
    [InlineData(15, 30, 1200, "red")]    // over capacity
    [InlineData(21, 0, 299, "normal")]  // evening in head counts, whatever the capacity
    [InlineData(21, 0, 300, "yellow")]
    [InlineData(23, 59, 700, "red")]
    public void A_count_gets_the_level_of_the_period_it_falls_in(int hour, int minute, int count, string level) =>
        Assert.Equal(level, Day().Level(count, 1000, At(hour, minute), "normal"));

    [Fact]
    public void Rising_is_at_once_but_falling_takes_five_percent_below_the_threshold()
    {
        var t = Day();
        var noon = At(12);
        Assert.Equal("orange", t.Level(850, 1000, noon, "normal"));
        Assert.Equal("orange", t.Level(849, 1000, noon, "orange"));    // just under 850: stays orange
        Assert.Equal("orange", t.Level(808, 1000, noon, "orange"));    // 850 × 0.95 = 807.5: still not clearly below
        Assert.Equal("yellow", t.Level(807, 1000, noon, "orange"));
        Assert.Equal("yellow", t.Level(670, 1000, noon, "yellow"));    // 700 × 0.95 = 665
        Assert.Equal("normal", t.Level(664, 1000, noon, "yellow"));
        // falling past several levels at once stops at the highest the count has not clearly left
        Assert.Equal("yellow", t.Level(690, 1000, noon, "red"));
        Assert.Equal("normal", t.Level(10, 1000, noon, "red"));
        Assert.Equal("red", t.Level(950, 1000, noon, "orange"));
    }

    [Fact]
    public void Thresholds_go_to_the_database_and_back_unchanged()
    {
        var t = Day();
        var back = CrowdThresholds.FromJson(t.ToJson());
        Assert.Equal(t.Periods, back.Periods);
        Assert.Equal([0, 600, 1260], back.Periods.Select(p => p.From));
    }

    [Theory]
    [InlineData("", "give at least one period")]
    [InlineData("[0].from", "first period must start at 00:00")]
    [InlineData("[1].from", "in order")]
    [InlineData("[0]", "yellow < orange < red")]
    [InlineData("[0].red", "fraction")]
    [InlineData("[0].yellow", "whole head count")]
    [InlineData("[0].orange", "required")]
    [InlineData("[0].from", "HH:MM")]
    public void Bad_periods_are_refused_naming_the_field(string field, string reason)
    {
        ThresholdBody?[] periods = (field, reason) switch
        {
            ("", _) => [],
            ("[0].from", "first period must start at 00:00") => [new("06:00", 0.5, 0.7, 0.9, null)],
            ("[1].from", _) => [new("00:00", 0.5, 0.7, 0.9, null), new("00:00", 0.5, 0.7, 0.9, null)],
            ("[0]", _) => [new("00:00", 0.7, 0.5, 0.9, null)],
            ("[0].red", _) => [new("00:00", 0.5, 0.7, 2.5, null)],
            ("[0].yellow", _) => [new("00:00", 10.5, 20, 30, true)],
            ("[0].orange", _) => [new("00:00", 0.5, null, 0.9, null)],
            _ => [new("25:00", 0.5, 0.7, 0.9, null)],
        };
        var (thresholds, f, problem) = CrowdThresholds.Parse(periods);
        Assert.Null(thresholds);
        Assert.Equal(field, f);
        Assert.Contains(reason, problem);
    }

    [Fact]
    public void The_typical_day_is_the_median_of_the_same_weekday_else_of_the_days_there_are()
    {
        var today = new DateOnly(2026, 7, 22); // a Wednesday
        var counts = new List<(DateOnly, int, int)>
        {
            (today.AddDays(-7), 60, 100), (today.AddDays(-14), 60, 300), (today.AddDays(-21), 60, 200), // Wednesdays
            (today.AddDays(-1), 60, 9999),                                                            // Tuesday: not used
            (today, 60, 5000),                                                                        // today: never
            (today.AddDays(-35), 60, 7777),                                                           // older than 4 weeks
        };
        var (curve, basis, days) = TypicalDay.Of(today, counts, 96);
        Assert.Equal("same_weekday", basis);
        Assert.Equal(200, curve[60]);
        Assert.Equal(3, days.Count);
        Assert.Null(curve[61]);

        var (fallback, why, used) = TypicalDay.Of(today, [(today.AddDays(-1), 10, 40), (today.AddDays(-2), 10, 50)], 96);
        Assert.Equal("recent_days", why);
        Assert.Equal(45, fallback[10]);
        Assert.Equal(2, used.Count);
        Assert.Equal("none", TypicalDay.Of(today, [], 96).Basis);
    }
}
