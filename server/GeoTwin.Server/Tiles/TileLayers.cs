namespace GeoTwin.Server.Tiles;

public sealed record LocalizedTitle(string Zh, string En);
public sealed record LayerStyle(string Stroke, string? Fill, double Width, double Radius);

/// <summary>
/// One vector-tile layer: its SQL file (Tiles/Layers/{name}.sql), what the viewer needs to draw it, the
/// tables its tiles are built from (a change to one drops them from the cache), and the filters it takes.
/// </summary>
public sealed record TileLayer(
    string Name, LocalizedTitle Title, string Geometry, int MinZoom, int MaxZoom,
    IReadOnlyDictionary<string, string> Attributes, LayerStyle Style, string? Record,
    IReadOnlyList<string> Tables, bool TakesIncidentFilters = false)
{
    public string SqlFile => $"Tiles/Layers/{Name}.sql";
}

/// <summary>
/// The allow-list: only these names reach SQL, and each maps to its own fixed query file. In every
/// layer the feature id (fid) is the record's id and the attribute id carries it too, for picking.
/// </summary>
public static class TileLayers
{
    static Dictionary<string, string> Fields(params string[] nameType) =>
        nameType.Select(f => f.Split(':')).ToDictionary(p => p[0], p => p[1]);

    public static readonly IReadOnlyList<TileLayer> All =
    [
        new("jurisdictions", new("辖区", "Jurisdictions"), "polygon", 8, 22, Fields("id:Number", "code:String", "name:String", "kind:String"),
            new("#1f5fbf", "#1f5fbf14", 2, 0), null, ["jurisdictions"]),
        new("stations", new("派出所辖区", "Police stations"), "polygon", 10, 22, Fields("id:Number", "code:String", "name:String"),
            new("#0b3d91", "#0b3d9110", 2.5, 0), null, ["jurisdictions"]),
        new("communities", new("社区", "Communities"), "polygon", 12, 22, Fields("id:Number", "code:String", "name:String", "kind:String"),
            new("#2e8b57", "#2e8b5718", 1.5, 0), null, ["jurisdictions"]),
        new("roads", new("道路", "Roads"), "line", 12, 22, Fields("id:Number", "name:String", "class:String", "oneway:Number", "speed_kmh:Number"),
            new("#8a8f98", null, 1.5, 0), null, ["roads"]),
        new("houses", new("房屋", "Houses"), "polygon", 14, 22,
            Fields("id:Number", "code:String", "use:String", "floors:Number", "height:Number", "residents_total:Number", "floating_share:Number"),
            new("#a0522d", "#d2691e66", 1, 0), "house", ["houses"]),
        new("addresses", new("标准地址", "Standard addresses"), "point", 16, 22, Fields("id:Number", "code:String", "door_number:String", "element_type:Number"),
            new("#4b0082", "#7b68ee", 1, 3), "address", ["addresses"]),
        new("organizations", new("实有单位", "Organizations"), "point", 15, 22, Fields("id:Number", "code:String", "name:String", "category:String"),
            new("#006400", "#32cd32", 1, 4), null, ["organizations"]),
        new("cameras", new("视频监控", "Cameras"), "point", 14, 22,
            Fields("id:String", "name:String", "heading:Number", "fov:Number", "range:Number", "kind:String", "owner:String", "status:String"),
            new("#b22222", "#ff4500", 1, 4), "camera", ["cameras"]),
        new("incidents", new("警情", "Incidents"), "point", 12, 22,
            Fields("id:Number", "code:String", "category:String", "priority:Number", "status:String", "received:Number", "count:Number"),
            new("#8b0000", "#ff0000", 1, 5), "incident", ["incidents"], TakesIncidentFilters: true),
    ];

    public static readonly IReadOnlyDictionary<string, TileLayer> ByName = All.ToDictionary(l => l.Name);
}
