using System.Globalization;
using System.Text.Json;

namespace GeoTwin.Server.Live.Crowds;

/// <summary>One count as posted: for an area (by id) or a sensor (by code), at a time, with optional entries and exits.</summary>
public readonly record struct CrowdCount(int Index, long? AreaId, string? Sensor, DateTime At, int Count, int? In, int? Out);

/// <summary>
/// Reads a batch <c>{"counts":[{"areaId"|"sensor", "time", "count", "in", "out"}]}</c> and checks every count. Unlike
/// positions, a batch is all or none: a counter's batch is one reading of its gates, and half of it would show a
/// wrong total, so the first problem refuses the batch naming its field (<c>counts[3].count</c>) and every problem is
/// listed beside it.
/// </summary>
public static class CrowdIngest
{
    public const int MaxBatch = 1000;
    public const int MaxCount = 10_000_000;

    public sealed record Problem(string Field, string Reason);

    /// <returns>the counts, or the problems (never both)</returns>
    public static (List<CrowdCount>? Counts, List<Problem> Problems) Read(JsonElement root, LiveOptions options, DateTime now)
    {
        var array = root.ValueKind == JsonValueKind.Array ? root
            : root.ValueKind == JsonValueKind.Object && root.TryGetProperty("counts", out var c) && c.ValueKind == JsonValueKind.Array ? c
            : default;
        if (array.ValueKind != JsonValueKind.Array) return (null, [new("counts", "must be {\"counts\": [...]} or a JSON array of counts")]);
        var length = array.GetArrayLength();
        if (length == 0) return (null, [new("counts", "is empty: give at least one count")]);
        if (length > MaxBatch) return (null, [new("counts", $"{length} in one batch, at most {MaxBatch}")]);
        var counts = new List<CrowdCount>(length);
        var problems = new List<Problem>();
        var i = 0;
        foreach (var e in array.EnumerateArray())
        {
            var (count, field, reason) = ReadOne(e, i, options, now);
            if (reason is null) counts.Add(count);
            else problems.Add(new($"counts[{i}]{field}", reason));
            i++;
        }
        return problems.Count > 0 ? (null, problems) : (counts, problems);
    }

    static (CrowdCount, string?, string?) ReadOne(JsonElement e, int i, LiveOptions options, DateTime now)
    {
        if (e.ValueKind != JsonValueKind.Object) return (default, "", "must be a JSON object");
        long? areaId = null;
        string? sensor = null;
        var hasArea = e.TryGetProperty("areaId", out var a) && a.ValueKind != JsonValueKind.Null;
        var hasSensor = e.TryGetProperty("sensor", out var s) && s.ValueKind != JsonValueKind.Null;
        if (hasArea == hasSensor) return (default, ".areaId", "give either areaId or sensor, one of them");
        if (hasArea)
        {
            if (a.ValueKind != JsonValueKind.Number || !a.TryGetInt64(out var id) || id < 1) return (default, ".areaId", "must be a positive whole number");
            areaId = id;
        }
        else
        {
            if (s.ValueKind != JsonValueKind.String || s.GetString() is not { Length: > 0 and <= 64 } code)
                return (default, ".sensor", "must be a sensor's code (1 to 64 characters)");
            sensor = code;
        }
        if (!e.TryGetProperty("time", out var t) || t.ValueKind != JsonValueKind.String || !t.GetString()!.Contains('T') ||
            !DateTimeOffset.TryParse(t.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
            return (default, ".time", "must be an ISO 8601 timestamp with offset, e.g. 2026-07-22T15:30:00+02:00");
        var at = time.UtcDateTime;
        if (PositionIngest.RefuseTime(at, options, now) is { } late) return (default, ".time", late);
        if (WholeNumber(e, "count", required: true, out var count) is { } bad) return (default, ".count", bad);
        if (WholeNumber(e, "in", required: false, out var entered) is { } badIn) return (default, ".in", badIn);
        if (WholeNumber(e, "out", required: false, out var exited) is { } badOut) return (default, ".out", badOut);
        return (new CrowdCount(i, areaId, sensor, at, count!.Value, entered, exited), null, null);
    }

    static string? WholeNumber(JsonElement e, string name, bool required, out int? value)
    {
        value = null;
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return required ? "is required (a head count)" : null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDecimal(out var d) || d != decimal.Truncate(d)) return "must be a whole number";
        if (d < 0) return $"{d} is negative: a head count is 0 or more";
        if (d > MaxCount) return $"{d} is more than {MaxCount:N0}";
        value = (int)d;
        return null;
    }
}
