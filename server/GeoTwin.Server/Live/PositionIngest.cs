using System.Globalization;
using System.Text.Json;

namespace GeoTwin.Server.Live;

public sealed record FixProblem(int Index, string Reason);

public sealed record StatusReport(int Index, long UnitId, string Status, string? Error);

public sealed record IngestReport(int Accepted, int HistoryOnly, List<FixProblem> Rejected, List<StatusReport> StatusChanges);

/// <summary>A fix that passed the checks, and the status it reports if any.</summary>
public readonly record struct CheckedFix(int Index, GoodFix Fix, string? Status);

/// <summary>
/// Reads a batch <c>{"fixes":[{"unitId"|"deviceId", "time", "lon", "lat", "speed", "heading", "accuracy", "status"}]}</c>
/// and checks each fix on its own, so one bad fix never costs the good ones.
/// </summary>
public static class PositionIngest
{
    /// <returns>the batch's fixes, or the reason the body is not a batch</returns>
    public static (List<JsonElement>? Fixes, string? Error) ReadBatch(JsonDocument body)
    {
        var root = body.RootElement;
        var array = root.ValueKind == JsonValueKind.Array ? root
            : root.ValueKind == JsonValueKind.Object && root.TryGetProperty("fixes", out var f) && f.ValueKind == JsonValueKind.Array ? f
            : default;
        if (array.ValueKind != JsonValueKind.Array) return (null, "must be {\"fixes\": [...]} or a JSON array of fixes");
        return (array.EnumerateArray().ToList(), null);
    }

    /// <param name="inScope">whether the caller's token may report for this unit</param>
    public static (List<CheckedFix> Good, List<FixProblem> Bad) Check(IReadOnlyList<JsonElement> fixes, LiveUnits units,
        Func<LiveUnit, bool> inScope, DateTime now)
    {
        var good = new List<CheckedFix>(fixes.Count);
        var bad = new List<FixProblem>();
        for (var i = 0; i < fixes.Count; i++)
        {
            var (fix, status, reason) = CheckOne(fixes[i], units, inScope, now);
            if (reason is null) good.Add(new CheckedFix(i, fix, status));
            else bad.Add(new FixProblem(i, reason));
        }
        return (good, bad);
    }

    static (GoodFix, string?, string?) CheckOne(JsonElement e, LiveUnits units, Func<LiveUnit, bool> inScope, DateTime now)
    {
        if (e.ValueKind != JsonValueKind.Object) return (default, null, "malformed: a fix must be a JSON object");
        LiveUnit? unit;
        if (e.TryGetProperty("unitId", out var uid))
        {
            if (uid.ValueKind != JsonValueKind.Number || !uid.TryGetInt64(out var id)) return (default, null, "malformed: unitId must be an integer");
            unit = units.Find(id);
            if (unit is null) return (default, null, $"unknown unit {id}");
        }
        else if (e.TryGetProperty("deviceId", out var did))
        {
            if (did.ValueKind != JsonValueKind.String || did.GetString() is not { Length: > 0 and <= 40 } device)
                return (default, null, "malformed: deviceId must be a string of 1 to 40 characters");
            unit = units.FindByDevice(device);
            if (unit is null) return (default, null, $"unknown device '{Printable(device)}'");
        }
        else return (default, null, "malformed: unitId or deviceId is required");
        if (!inScope(unit)) return (default, null, $"unit {unit.Id} belongs to another jurisdiction than this token's");

        if (!e.TryGetProperty("time", out var t) || t.ValueKind != JsonValueKind.String ||
            !DateTimeOffset.TryParse(t.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var time) ||
            !t.GetString()!.Contains('T'))
            return (default, null, "malformed: time must be an ISO 8601 timestamp with offset, e.g. 2026-11-22T15:30:00Z");
        var at = time.UtcDateTime;
        if (Number(e, "lon") is not { } lon) return (default, null, "malformed: lon must be a number");
        if (Number(e, "lat") is not { } lat) return (default, null, "malformed: lat must be a number");
        if (Refuse(at, lon, lat, units.Options, now) is { } refused) return (default, null, refused);
        if (Optional(e, "speed", 0, 500, out var speed) is { } s) return (default, null, s);
        if (Optional(e, "heading", 0, 360, out var heading) is { } h) return (default, null, h);
        if (Optional(e, "accuracy", 0, 100_000, out var accuracy) is { } a) return (default, null, a);
        if (heading is 360) heading = 0;

        string? status = null;
        if (e.TryGetProperty("status", out var st) && st.ValueKind != JsonValueKind.Null)
        {
            if (st.ValueKind != JsonValueKind.String || !Vocabulary.UnitStatuses.Contains(st.GetString()!))
                return (default, null, $"status must be one of {Vocabulary.UnitStatuses}");
            status = st.GetString();
        }
        return (new GoodFix(unit.Id, at, lon, lat, speed, heading, accuracy), status, null);
    }

    /// <summary>The checks every fix passes whatever carried it (this JSON, a JT/T 808 frame): its time and place.</summary>
    public static string? Refuse(DateTime at, double lon, double lat, LiveOptions options, DateTime now)
    {
        if (RefuseTime(at, options, now) is { } time) return time;
        if (lon is < -180 or > 180 || double.IsNaN(lon)) return $"lon {lon} is out of range (-180 to 180)";
        if (lat is < -90 or > 90 || double.IsNaN(lat)) return $"lat {lat} is out of range (-90 to 90)";
        return null;
    }

    /// <summary>How far ahead of the server clock and how far back a reading may be: fixes and crowd counts alike.</summary>
    public static string? RefuseTime(DateTime at, LiveOptions options, DateTime now)
    {
        if (at > now.AddSeconds(options.MaxFutureSeconds))
            return $"time is too far in the future (more than {options.MaxFutureSeconds} s ahead of the server clock)";
        if (at < now.AddDays(-options.MaxAgeDays)) return $"time is more than {options.MaxAgeDays} days old";
        return null;
    }

    static double? Number(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) ? d : null;

    static string? Optional(JsonElement e, string name, double min, double max, out float? value)
    {
        value = null;
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var d)) return $"malformed: {name} must be a number";
        if (d < min || d > max) return $"{name} {d} is out of range ({min} to {max})";
        value = (float)d;
        return null;
    }

    static string Printable(string s) => new(s.Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
