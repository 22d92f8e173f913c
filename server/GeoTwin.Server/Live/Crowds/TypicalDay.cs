namespace GeoTwin.Server.Live.Crowds;

/// <summary>
/// A typical day to set today's counts against: per slot, the median of the same weekday of the last four weeks; with
/// none of those counted, the median of the earlier days there are (a new area, a new sensor). Today is never part of it.
/// </summary>
public static class TypicalDay
{
    public const int Weeks = 4;

    public static (double?[] Curve, string Basis, List<DateOnly> Days) Of(DateOnly today, IReadOnlyList<(DateOnly Day, int Slot, int Count)> counts, int slots)
    {
        var earlier = counts.Where(c => c.Day < today && c.Day >= today.AddDays(-7 * Weeks)).ToList();
        var counted = earlier.Select(c => c.Day).Distinct().ToList();
        var sameWeekday = counted.Where(d => d.DayOfWeek == today.DayOfWeek).ToList();
        var (days, basis) = sameWeekday.Count > 0 ? (sameWeekday, "same_weekday") : counted.Count > 0 ? (counted, "recent_days") : ([], "none");
        var chosen = days.ToHashSet();
        var curve = new double?[slots];
        foreach (var slot in earlier.Where(c => chosen.Contains(c.Day) && c.Slot >= 0 && c.Slot < slots).GroupBy(c => c.Slot))
            curve[slot.Key] = Median([.. slot.Select(c => (double)c.Count)]);
        return (curve, basis, [.. days.Order()]);
    }

    public static double Median(double[] values)
    {
        Array.Sort(values);
        var mid = values.Length / 2;
        return values.Length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }
}
