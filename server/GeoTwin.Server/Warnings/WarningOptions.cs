using GeoTwin.Server.Infrastructure.Db;

namespace GeoTwin.Server.Warnings;

/// <summary>
/// A deployment's settings of the four-colour rule, <c>GeoTwin:Warnings:*</c>, read once at start (a bad value ends the
/// start with one line naming the key). The rule itself (levels, default thresholds, kinds) is vocabulary.json's.
/// </summary>
public sealed class WarningOptions
{
    readonly Dictionary<string, WarningThresholds> _thresholds;

    /// <summary>Kinds an incident's own place may be, most preferred first; within a kind the smallest place wins.</summary>
    public IReadOnlyList<string> AssignOrder { get; }
    /// <summary>An incident outside every patrol zone belongs to the zone whose street is within this many metres.</summary>
    public double ZoneStreetMetres { get; }
    /// <summary>The bureau's clock: calendar months start at its midnight.</summary>
    public string TimeZone { get; }

    public WarningOptions(IReadOnlyDictionary<string, WarningThresholds>? thresholds = null, IReadOnlyList<string>? assignOrder = null,
        double zoneStreetMetres = 50, string timeZone = "UTC")
    {
        var w = Vocabulary.Warnings;
        _thresholds = w.PlaceKinds.ToDictionary(k => k, k => thresholds?.GetValueOrDefault(k) ?? w.DefaultThresholds);
        AssignOrder = assignOrder ?? w.DefaultAssignOrder;
        var unknown = AssignOrder.Where(k => !w.DefaultAssignOrder.Contains(k)).ToList();
        if (unknown.Count > 0 || AssignOrder.Count == 0 || AssignOrder.Distinct().Count() != AssignOrder.Count)
            throw new ArgumentException($"AssignOrder: needs distinct kinds of {string.Join(", ", w.DefaultAssignOrder)}, got {string.Join(",", AssignOrder)}");
        if (!double.IsFinite(zoneStreetMetres) || zoneStreetMetres < 0 || zoneStreetMetres > 5000)
            throw new ArgumentException($"ZoneStreetMetres: must be 0..5000 metres, got {zoneStreetMetres}");
        ZoneStreetMetres = zoneStreetMetres;
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _))
            throw new ArgumentException($"TimeZone: '{timeZone}' is not a known time zone (e.g. Asia/Shanghai)");
        TimeZone = timeZone;
    }

    public WarningThresholds ThresholdsOf(string kind) => _thresholds[kind];

    /// <summary>GeoTwin:Warnings:Thresholds:&lt;kind&gt; ("1,2,4,6"), AssignOrder ("unit_premises,compound,village"), ZoneStreetMetres, TimeZone.</summary>
    public static WarningOptions From(IConfiguration config)
    {
        const string Key = "GeoTwin:Warnings";
        try
        {
            var thresholds = new Dictionary<string, WarningThresholds>();
            foreach (var child in config.GetSection($"{Key}:Thresholds").GetChildren())
            {
                if (!Vocabulary.Warnings.PlaceKinds.Contains(child.Key))
                    throw new ArgumentException($"Thresholds:{child.Key}: not a place kind ({Vocabulary.Warnings.PlaceKinds})");
                thresholds[child.Key] = WarningThresholds.Parse(child.Value ?? "", $"Thresholds:{child.Key}");
            }
            var order = config[$"{Key}:AssignOrder"] is { Length: > 0 } o ? o.Split(',', StringSplitOptions.TrimEntries) : null;
            var zone = config[$"{Key}:TimeZone"] ?? TimeZoneInfo.Local.Id;
            if (zone == "Local") zone = "UTC";
            return new WarningOptions(thresholds, order, config.GetValue($"{Key}:ZoneStreetMetres", 50.0), zone);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            throw new StartupException($"{Key}:{e.Message}");
        }
    }
}
