using GeoTwin.Domain;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using static GeoTwin.DataImport.Import.Layers.Column;

namespace GeoTwin.DataImport.Import.Layers;

/// <summary>
/// The four-colour warning's places (issue #17) as an import layer: residential compounds, villages, unit premises and
/// street patrol zones, each a polygon in the jurisdiction tree, with its responsible people on the same row, one name
/// and phone per role (the shape of a bureau's export: 社区民警, 社区民警电话, 物业负责人, 物业负责人电话 ...). People
/// ride on the place's row so a file is one all-or-nothing write and a scoped import's rule (the place's station) is
/// also theirs. A re-imported place's people are the row's; a row naming no one keeps the people stored.
/// </summary>
public static class WarningPlacesLayer
{
    const string PlaceCode = "^[A-Za-z0-9_-]{1,60}$";
    /// <summary>warning_place_people.phone's CHECK (0070), mirrored so a bad phone is a bad row, not a refused file.</summary>
    const string Phone = @"^\+?[0-9 -]{5,20}$";
    /// <summary>A patrol zone's street: a few main streets' worth of vertices, as WKT text.</summary>
    const int MaxStreetVertices = 20_000, MaxStreetChars = 1_000_000;

    /// <summary>The words exports use for each role's person and phone, beside the vocabulary's own labels.</summary>
    static readonly Dictionary<string, string[]> RoleWords = new()
    {
        ["community_officer"] = ["社区民警", "社区警", "责任民警", "sqmj"],
        ["station_leader"] = ["所领导", "包片所领导", "派出所领导", "sld"],
        ["property_manager"] = ["物业负责人", "物业经理", "物业", "wyfzr"],
        ["security_chief"] = ["保卫负责人", "保卫科长", "单位保卫负责人", "bwfzr"],
        ["village_head"] = ["村主任", "村委会主任", "村委会负责人", "czr"],
        ["patrol_leader"] = ["巡区负责人", "巡区带班民警", "带班民警", "xqfzr"],
    };

    static IEnumerable<Column> People()
    {
        foreach (var role in Vocabulary.Warnings.PersonRoles)
        {
            var label = Vocabulary.Warnings.PersonRoles.LabelOf(role);
            string[] words = [label.Zh, label.En, .. RoleWords.GetValueOrDefault(role, [])];
            yield return Text(role, 100, [.. words, .. words.Select(w => w + "姓名")]);
            yield return Code(role + "_phone", Phone, [.. words.SelectMany(w => new[] { w + "电话", w + "联系电话", w + "手机", w + "手机号", w + " phone" })]);
        }
    }

    public static readonly Layer Layer = new()
    {
        Name = "warning_places", Table = "warning_places", Geometry = GeometryKind.Polygon, UniqueColumns = ["code"], MaxVertices = 20_000,
        Columns =
        [
            Code("code", PlaceCode, "场所编码", "地点编码", "小区编码", "巡区编码", "place_code", "id").Needed(),
            LayerCatalog.VocabularyChoice("kind", Vocabulary.Warnings.PlaceKinds, Vocabulary.Warnings.PlaceKinds, new Dictionary<string, string>
            {
                ["住宅小区"] = "compound", ["居民小区"] = "compound", ["residential"] = "compound", ["村庄"] = "village", ["自然村"] = "village",
                ["行政村"] = "village", ["单位场所"] = "unit_premises", ["重点单位"] = "unit_premises", ["医院"] = "unit_premises",
                ["学校"] = "unit_premises", ["车站"] = "unit_premises", ["景区"] = "unit_premises", ["市场"] = "unit_premises",
                ["premises"] = "unit_premises", ["巡区"] = "patrol_zone", ["巡逻区"] = "patrol_zone", ["patrol"] = "patrol_zone",
            }, "类型", "场所类型", "type").Needed(),
            Text("name", 200, "名称", "场所名称", "小区名称").Needed(),
            Text("name_en", 200, "english_name", "name:en"),
            Custom("street", StreetError, "巡区街道", "街道线", "street_wkt"),
            Code("jurisdiction_code", LayerCatalog.TreeCode, "jurisdiction", "责任区代码", "派出所代码", "管辖单位代码", "gxdwdm"),
            .. People(),
        ],
        Complete = Complete,
    };

    /// <summary>A patrol zone's street as WKT (WGS 84 longitude/latitude, whatever the file's CRS): a line or lines.</summary>
    static string? StreetError(string wkt)
    {
        if (wkt.Length > MaxStreetChars) return $"is {wkt.Length} characters long; at most {MaxStreetChars}";
        Geometry g;
        try { g = new WKTReader().Read(wkt); }
        catch (Exception e) when (e is ParseException or ArgumentException or FormatException) { return "is not WKT (e.g. LINESTRING(7.42 43.73, 7.43 43.74))"; }
        if (g is not (LineString or MultiLineString) || g.IsEmpty) return $"must be a LINESTRING or MULTILINESTRING, got {g.GeometryType}";
        if (g.NumPoints > MaxStreetVertices) return $"has {g.NumPoints} vertices; at most {MaxStreetVertices}";
        if (g.Coordinates.Any(c => !double.IsFinite(c.X) || !double.IsFinite(c.Y) || Math.Abs(c.X) > 180 || Math.Abs(c.Y) > 90))
            return "must be WGS 84 longitude/latitude (|lon| <= 180, |lat| <= 90)";
        return g.IsValid ? null : "is not a valid line";
    }

    static FieldError? Complete(Layer layer, object?[] v)
    {
        var kind = (string)v[layer.IndexOf("kind")]!;
        if (v[layer.IndexOf("street")] is not null && kind != WarningVocabulary.PatrolZone)
            return new FieldError("street", $"only a patrol zone has a street; this place is a {kind}");
        foreach (var role in Vocabulary.Warnings.PersonRoles)
        {
            var (name, phone) = (v[layer.IndexOf(role)], v[layer.IndexOf(role + "_phone")]);
            if (name is null && phone is not null) return new FieldError(role, $"{role}_phone is given but not the {role}'s name");
            if (name is not null && phone is null) return new FieldError(role + "_phone", $"the {role} is named but has no phone (texts go to it)");
        }
        return null;
    }
}
