using System.Globalization;
using System.Text.RegularExpressions;
using GeoTwin.DataImport.Domain;

namespace GeoTwin.DataImport.Reading.Osm;

/// <summary>Height parts of a building, in metres above ground.</summary>
public sealed record BuildingHeight(double BaseM, double RoofM, int? Floors);

/// <summary>
/// How OpenStreetMap tags map onto GeoTwin's tables (wiki.openstreetmap.org Key:highway, Key:oneway,
/// Key:maxspeed, Key:building, Simple 3D Buildings). One place, so the import and the demo agree.
/// </summary>
public static partial class OsmConventions
{
    /// <summary>Storey height used when only building:levels is known (the Simple 3D Buildings convention).</summary>
    public const double LevelHeightM = 3;

    static readonly Dictionary<string, string> HighwayClasses = new()
    {
        ["motorway"] = "motorway", ["motorway_link"] = "motorway",
        ["trunk"] = "trunk", ["trunk_link"] = "trunk",
        ["primary"] = "primary", ["primary_link"] = "primary",
        ["secondary"] = "secondary", ["secondary_link"] = "secondary",
        ["tertiary"] = "tertiary", ["tertiary_link"] = "tertiary",
        ["residential"] = "residential", ["unclassified"] = "residential",
        ["service"] = "service", ["living_street"] = "living_street",
        // A patrol car may enter a pedestrian zone at walking pace, so dispatch keeps it, slowly.
        ["pedestrian"] = "pedestrian", ["track"] = "track",
        ["road"] = "other", ["busway"] = "other",
    };

    /// <summary>The roads-table class of a highway way; null when it is not part of the driving network
    /// (footway, steps, cycleway, path, corridor, platform, raceway, construction, ...).</summary>
    public static string? RoadClass(IReadOnlyDictionary<string, string?> tags) =>
        tags.TryGetValue("highway", out var h) && h is not null && HighwayClasses.TryGetValue(h, out var c) ? c : null;

    /// <summary>maxspeed in km/h ("50", "50 km/h", "30 mph"); the class default when absent or symbolic ("FR:urban", "walk").</summary>
    public static double SpeedKmh(IReadOnlyDictionary<string, string?> tags, string roadClass)
    {
        var speed = ParseMaxspeed(tags.GetValueOrDefault("maxspeed"));
        return speed is > 0 and <= 150 ? speed.Value : RoadClasses.DefaultSpeedKmh(roadClass);
    }

    public static double? ParseMaxspeed(string? value)
    {
        if (value is null) return null;
        var m = MaxspeedPattern().Match(value.Trim());
        if (!m.Success) return null;
        var number = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value switch
        {
            "mph" => Math.Round(number * 1.609344, 1),
            "knots" => Math.Round(number * 1.852, 1),
            _ => number,
        };
    }

    /// <summary>1 along the drawing direction only, -1 against it only, 0 both ways (the roads table's convention).</summary>
    public static short Oneway(IReadOnlyDictionary<string, string?> tags, string roadClass)
    {
        switch (tags.GetValueOrDefault("oneway")?.Trim().ToLowerInvariant())
        {
            case "yes" or "1" or "true": return 1;
            case "-1" or "reverse": return -1;
            case "no" or "0" or "false": return 0;
            // Reversible and alternating lanes flow both ways over a day.
            case "reversible" or "alternating": return 0;
        }
        var junction = tags.GetValueOrDefault("junction");
        if (junction is "roundabout" or "circular") return 1;
        return roadClass == "motorway" ? (short)1 : (short)0;
    }

    static readonly Dictionary<string, string> BuildingUses = new()
    {
        ["apartments"] = "residential", ["residential"] = "residential", ["house"] = "residential", ["detached"] = "residential",
        ["semidetached_house"] = "residential", ["terrace"] = "residential", ["dormitory"] = "residential", ["villa"] = "residential",
        ["commercial"] = "commercial", ["retail"] = "commercial", ["supermarket"] = "commercial", ["kiosk"] = "commercial",
        ["office"] = "office", ["hotel"] = "hotel",
        ["public"] = "public", ["civic"] = "public", ["government"] = "public", ["school"] = "public", ["university"] = "public",
        ["college"] = "public", ["kindergarten"] = "public", ["hospital"] = "public", ["train_station"] = "public",
        ["transportation"] = "public", ["stadium"] = "public", ["museum"] = "public", ["sports_centre"] = "public",
        ["church"] = "religious", ["chapel"] = "religious", ["cathedral"] = "religious", ["mosque"] = "religious",
        ["synagogue"] = "religious", ["temple"] = "religious", ["religious"] = "religious", ["shrine"] = "religious",
        ["industrial"] = "industrial", ["warehouse"] = "industrial", ["factory"] = "industrial",
    };

    static readonly Dictionary<string, string> AmenityUses = new()
    {
        ["place_of_worship"] = "religious", ["school"] = "public", ["hospital"] = "public", ["police"] = "public",
        ["townhall"] = "public", ["courthouse"] = "public", ["library"] = "public", ["theatre"] = "public",
        ["bank"] = "commercial", ["casino"] = "commercial", ["restaurant"] = "commercial",
    };

    /// <summary>The houses-table use: building=*, else a telling amenity, tourism or shop tag, else residential
    /// (most untyped buildings, building=yes, are homes).</summary>
    public static string BuildingUse(IReadOnlyDictionary<string, string?> tags)
    {
        var building = tags.GetValueOrDefault("building") ?? "yes";
        if (BuildingUses.TryGetValue(building, out var use)) return use;
        if (tags.GetValueOrDefault("amenity") is { } a && AmenityUses.TryGetValue(a, out use)) return use;
        if (tags.GetValueOrDefault("tourism") is "hotel" or "hostel" or "guest_house") return "hotel";
        if (tags.ContainsKey("shop")) return "commercial";
        if (tags.ContainsKey("office")) return "office";
        return building is "yes" ? "residential" : "other";
    }

    static readonly Dictionary<string, string> AmenityCategories = new()
    {
        ["restaurant"] = "restaurant", ["cafe"] = "restaurant", ["fast_food"] = "restaurant", ["bar"] = "restaurant",
        ["pub"] = "restaurant", ["ice_cream"] = "restaurant", ["food_court"] = "restaurant",
        ["bank"] = "bank", ["bureau_de_change"] = "bank",
        ["school"] = "school", ["kindergarten"] = "school", ["college"] = "school", ["university"] = "school", ["library"] = "school",
        ["hospital"] = "hospital", ["clinic"] = "hospital", ["doctors"] = "hospital", ["dentist"] = "hospital",
        ["casino"] = "entertainment", ["theatre"] = "entertainment", ["cinema"] = "entertainment", ["nightclub"] = "entertainment",
        ["arts_centre"] = "entertainment",
        ["police"] = "government", ["townhall"] = "government", ["courthouse"] = "government", ["embassy"] = "government",
        ["post_office"] = "government", ["fire_station"] = "government",
        ["place_of_worship"] = "religious", ["pharmacy"] = "shop", ["marketplace"] = "shop", ["fuel"] = "company",
    };

    /// <summary>The organizations-table category of a POI (实有单位); null for street furniture and the like
    /// (benches, bins, parking, toilets, artworks, viewpoints), which are not organizations.</summary>
    public static string? OrganizationCategory(IReadOnlyDictionary<string, string?> tags)
    {
        switch (tags.GetValueOrDefault("tourism"))
        {
            case "hotel" or "hostel" or "guest_house" or "motel" or "apartment": return "hotel";
            case "attraction" or "museum" or "gallery" or "zoo" or "aquarium" or "theme_park": return "scenic_spot";
        }
        if (tags.ContainsKey("shop")) return "shop";
        if (tags.GetValueOrDefault("amenity") is { } a && AmenityCategories.TryGetValue(a, out var category)) return category;
        if (tags.ContainsKey("office")) return "company";
        return null;
    }

    /// <summary>What a named place is, for the search box and intake by name: a beach, square, park, harbour or
    /// landmark; null for anything else (shops, hotels and the like are organizations, see <see cref="OrganizationCategory"/>).</summary>
    public static string? PlaceKind(IReadOnlyDictionary<string, string?> tags)
    {
        if (tags.GetValueOrDefault("natural") == "beach" || tags.GetValueOrDefault("leisure") == "beach_resort") return "beach";
        if (tags.GetValueOrDefault("place") == "square" || (tags.GetValueOrDefault("highway") == "pedestrian" && tags.GetValueOrDefault("area") == "yes"))
            return "square";
        if (tags.GetValueOrDefault("leisure") is "park" or "garden") return "park";
        if (tags.GetValueOrDefault("leisure") == "marina" || tags.GetValueOrDefault("landuse") == "harbour" || tags.GetValueOrDefault("harbour") == "yes")
            return "harbour";
        if (tags.ContainsKey("historic") || tags.GetValueOrDefault("tourism") is "viewpoint" or "attraction"
            || tags.GetValueOrDefault("man_made") is "lighthouse" or "tower")
            return "landmark";
        return null;
    }

    static readonly Dictionary<string, double> DefaultHeights = new()
    {
        ["residential"] = 15, ["commercial"] = 9, ["office"] = 18, ["mixed"] = 15, ["hotel"] = 21,
        ["public"] = 12, ["industrial"] = 8, ["religious"] = 15, ["other"] = 6,
    };

    /// <summary>height (metres, "12 m", "40 ft"), else building:levels x 3 m, else a typical height for the use.
    /// The base is min_height or building:min_level x 3 m.</summary>
    public static BuildingHeight Height(IReadOnlyDictionary<string, string?> tags, string use)
    {
        var levels = ParseNumber(tags.GetValueOrDefault("building:levels"));
        var baseM = ParseLength(tags.GetValueOrDefault("min_height"))
                    ?? ParseNumber(tags.GetValueOrDefault("building:min_level")) * LevelHeightM ?? 0;
        var roof = ParseLength(tags.GetValueOrDefault("height"))
                   ?? (levels is > 0 ? baseM + levels.Value * LevelHeightM : (double?)null)
                   ?? baseM + DefaultHeights[use];
        if (roof <= baseM) roof = baseM + LevelHeightM;
        var floors = levels is > 0 ? (int)Math.Round(levels.Value) : Math.Max(1, (int)Math.Round((roof - baseM) / LevelHeightM));
        return new BuildingHeight(baseM, roof, Math.Min(floors, 200));
    }

    /// <summary>A length in metres: "12", "12.5 m", "40 ft", "12'6\"".</summary>
    public static double? ParseLength(string? value)
    {
        if (value is null) return null;
        var feet = FeetInchesPattern().Match(value.Trim());
        if (feet.Success)
            return Math.Round(int.Parse(feet.Groups[1].Value, CultureInfo.InvariantCulture) * 0.3048
                              + (feet.Groups[2].Success ? int.Parse(feet.Groups[2].Value, CultureInfo.InvariantCulture) * 0.0254 : 0), 2);
        var m = LengthPattern().Match(value.Trim());
        if (!m.Success) return null;
        var number = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value is "ft" or "feet" ? Math.Round(number * 0.3048, 2) : number;
    }

    static double? ParseNumber(string? value) =>
        double.TryParse(value?.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0 && n < 1000 ? n : null;

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)\s*(km/h|kmh|kph|mph|knots)?$")]
    private static partial Regex MaxspeedPattern();

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)\s*(m|ft|feet)?$")]
    private static partial Regex LengthPattern();

    [GeneratedRegex(@"^(\d+)'(?:(\d+)"")?$")]
    private static partial Regex FeetInchesPattern();
}
