using GeoTwin.Server.Infrastructure.Errors;
using System.Globalization;
using System.Text.Json;

namespace GeoTwin.Server.Hotspots;

/// <summary>
/// An analyst's own weighted points (a layer that is not incidents, or a data set to check GeoTwin against another
/// tool): a GeoJSON FeatureCollection of Points, each with a numeric <c>weight</c> (or <c>value</c>) property, and an
/// explicit distance band. Refused, naming the field: no features, a feature that is not a point, a weight that is
/// missing or not a finite number, two points at the same place (Gi* would count one place twice).
/// </summary>
public sealed record PostedPoints(string[] Ids, double[] Lon, double[] Lat, double[] Weight, double Band, double? CellSize, bool Fdr, string WeightProperty)
{
    public int Count => Ids.Length;

    public static PostedPoints Read(JsonElement root, IQueryCollection query, HotspotLimits limits)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String
            || type.GetString() != "FeatureCollection")
            throw HotspotRefusal.Bad("type", "the body must be a GeoJSON FeatureCollection");
        var band = HotspotFilters.Metres(query, "band") ?? Number(root, "band")
            ?? throw HotspotRefusal.Bad("band", "is required for posted points: the distance band in metres (query band= or the collection's band property)");
        var cellSize = HotspotFilters.Metres(query, "cellSize") ?? Number(root, "cellSize");
        var fdr = HotspotFilters.Single(query, "fdr") switch
        {
            null or "true" => true,
            "false" => false,
            var v => throw HotspotRefusal.Bad("fdr", $"'{v}' is not true or false"),
        };
        if (!root.TryGetProperty("features", out var features) || features.ValueKind != JsonValueKind.Array)
            throw HotspotRefusal.Bad("features", "is missing: a FeatureCollection's features array");
        var n = features.GetArrayLength();
        if (n == 0) throw HotspotRefusal.Bad("features", "is empty: post at least 3 points with weights");
        if (n > limits.MaxPostedPoints)
            throw HotspotRefusal.Of(400, "features", $"{n} points are more than the maximum of {limits.MaxPostedPoints}",
                new Dictionary<string, object?> { ["count"] = n, ["maximum"] = limits.MaxPostedPoints });

        var ids = new string[n];
        var lon = new double[n];
        var lat = new double[n];
        var weight = new double[n];
        string? property = null;
        var seen = new Dictionary<(double, double), int>();
        var i = 0;
        foreach (var f in features.EnumerateArray())
        {
            var at = $"features[{i}]";
            if (f.ValueKind != JsonValueKind.Object) throw HotspotRefusal.Bad(at, "is not a GeoJSON Feature");
            if (!f.TryGetProperty("geometry", out var g) || g.ValueKind != JsonValueKind.Object || !g.TryGetProperty("type", out var gt)
                || gt.ValueKind != JsonValueKind.String || gt.GetString() != "Point"
                || !g.TryGetProperty("coordinates", out var c) || c.ValueKind != JsonValueKind.Array || c.GetArrayLength() < 2
                || c[0].ValueKind != JsonValueKind.Number || c[1].ValueKind != JsonValueKind.Number)
                throw HotspotRefusal.Bad($"{at}.geometry", "is not a GeoJSON Point with [longitude, latitude]");
            lon[i] = c[0].GetDouble();
            lat[i] = c[1].GetDouble();
            if (!(Math.Abs(lon[i]) <= 180 && Math.Abs(lat[i]) <= 90))
                throw HotspotRefusal.Bad($"{at}.geometry", $"({lon[i]}, {lat[i]}) is outside longitude ±180, latitude ±90 (EPSG:4326, longitude first)");
            if (!seen.TryAdd((lon[i], lat[i]), i))
                throw HotspotRefusal.Bad($"{at}.geometry", $"is at the same place as features[{seen[(lon[i], lat[i])]}]: sum their weights into one point");
            var props = f.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
            // The first feature decides which property carries the weight; every feature must have it.
            property ??= props.ValueKind == JsonValueKind.Object && props.TryGetProperty("weight", out _) ? "weight" : "value";
            var field = $"{at}.properties.{property}";
            if (props.ValueKind != JsonValueKind.Object || !props.TryGetProperty(property, out var w) || w.ValueKind == JsonValueKind.Null)
                throw HotspotRefusal.Bad(field, "is missing: every point needs a numeric weight (or value)");
            if (w.ValueKind != JsonValueKind.Number || !w.TryGetDouble(out weight[i]) || !double.IsFinite(weight[i]))
                throw HotspotRefusal.Bad(field, $"{w.GetRawText()} is not a finite number");
            ids[i] = f.TryGetProperty("id", out var id) && id.ValueKind is JsonValueKind.String or JsonValueKind.Number
                ? (id.ValueKind == JsonValueKind.String ? id.GetString()! : id.GetRawText())
                : i.ToString(CultureInfo.InvariantCulture);
            i++;
        }
        return new PostedPoints(ids, lon, lat, weight, band, cellSize, fdr, property!);
    }

    static double? Number(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var d) || !double.IsFinite(d) || d <= 0)
            throw HotspotRefusal.Bad(name, $"{v.GetRawText()} is not a positive number of metres");
        return d;
    }
}
