using GeoTwin.Server.Hotspots.Statistics;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Tiles;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;

namespace GeoTwin.Server.Hotspots;

/// <summary>
/// The Gi* cells as the catalog's vector-tile layer "hotspots" (/tiles/hotspots/{z}/{x}/{y}.mvt, alone or combined with
/// other layers), beside the GeoJSON and CSV of /api/hotspots/gi: the same cached analysis, read with the same query
/// parameters (the hotspot filters, cellSize, band, fdr; step and timeSteps name the emerging run whose pattern is the
/// cells' trend, where one is cached). Cached like every tile, by scope, parameters and the incident data version.
/// </summary>
public sealed class HotspotCellsLayer(HotspotsStore store, ScopedDb db) : IComputedTileLayer
{
    public static readonly TileLayer Definition = new("hotspots", new("热点网格（Gi*）", "Hot spot cells (Gi*)"), "polygon", 10, 22,
        new Dictionary<string, string>
        {
            ["id"] = "Number", ["cell"] = "String", ["count"] = "Number", ["z"] = "Number", ["p"] = "Number", ["q_fdr"] = "Number",
            ["bin"] = "Number", ["trend"] = "String",
        },
        new LayerStyle("#b2182b", "#ef8a6240", 1, 0), null, HotspotsStore.Tables);

    static readonly GeometryFactory Wgs84 = new(new PrecisionModel(), 4326);

    public TileLayer Layer => Definition;
    public string Policy => Policies.Analysis;

    async Task<(GiRequest Request, string Version, HotspotsEndpoints.CellTrends Trends)> RequestAsync(HttpContext http, CurrentUser user, CancellationToken ct)
    {
        var q = http.Request.Query;
        var version = await store.VersionAsync(http, ct);
        var request = HotspotsEndpoints.GiRequestOf(q, await HotspotsEndpoints.ZoneAsync(store, user, q, version, ct));
        return (request, version, HotspotsEndpoints.TrendsOf(store, user, request, q, version));
    }

    public async Task<string> KeyAsync(HttpContext http, CurrentUser user, CancellationToken ct)
    {
        var (request, version, trends) = await RequestAsync(http, user, ct);
        return $"{request.Key}|{trends.Request.Key}:{(trends.Patterns is null ? "no-trend" : "trend")}|{version}";
    }

    public async Task<byte[]> TileAsync(HttpContext http, CurrentUser user, int z, int x, int y, CancellationToken ct)
    {
        var (request, version, trends) = await RequestAsync(http, user, ct);
        GiAnalysis a;
        try { (a, _) = await HotspotsEndpoints.AnalysisAsync(store, user, request, version, ct); }
        catch (HotspotInputException e) { throw HotspotsEndpoints.RefusalOf(e); }

        // The cells whose hexagon may reach the tile or its 64-unit buffer: centres within the tile grown by a cell size.
        var n = (double)(1L << z);
        static double Lat(double ty, double n) => Math.Atan(Math.Sinh(Math.PI * (1 - 2 * ty / n))) * 180 / Math.PI;
        double west = (x - 1 / 64.0) / n * 360 - 180, east = (x + 1 + 1 / 64.0) / n * 360 - 180;
        double north = Lat(y - 1 / 64.0, n), south = Lat(y + 1 + 1 / 64.0, n);
        var size = a.Result.Parameters.CellSize.Value;
        var dLat = size / 111_320.0;
        var dLon = dLat / Math.Max(0.01, Math.Cos((north + south) / 2 * Math.PI / 180));
        var picked = Enumerable.Range(0, a.Result.Cells.Cells)
            .Where(c => a.CellLon[c] >= west - dLon && a.CellLon[c] <= east + dLon && a.CellLat[c] >= south - dLat && a.CellLat[c] <= north + dLat)
            .ToArray();
        if (picked.Length == 0) return [];

        var cells = a.Result.Cells;
        var gi = a.Result.Gi;
        var wkb = new WKBWriter();
        object?[] args =
        [
            z, x, y,
            picked.Select(c => FeatureId(cells.Q[c], cells.R[c])).ToArray(),
            picked.Select(a.IdOf).ToArray(),
            picked.Select(c => cells.Count[c]).ToArray(),
            picked.Select(c => gi.Z[c]).ToArray(),
            picked.Select(c => gi.P[c]).ToArray(),
            picked.Select(c => gi.Q[c]).ToArray(),
            picked.Select(c => (int)gi.Bin[c]).ToArray(),
            picked.Select(c => trends.Patterns?[c]).ToArray(),
            picked.Select(c => wkb.Write(Wgs84.CreatePolygon(a.Polygon(c).Select(p => new Coordinate(p[0], p[1])).ToArray()))).ToArray(),
        ];
        // The cells travel as arguments (cells_tile.sql only encodes them): any replica within its lag bound may do it.
        var parts = await db.ScalarsAsync(user, [("Hotspots/cells_tile.sql", args)], ct);
        return parts[0] as byte[] ?? [];
    }

    /// <summary>
    /// The MVT feature id (and id attribute) of cell (q, r): both offset by 2^25 and packed into 52 bits, so it is
    /// non-negative and exact in a JavaScript number (cells of 1 m would need 33,000 km to overflow).
    /// </summary>
    public static long FeatureId(int q, int r) => ((long)(q + (1 << 25)) << 26) + (r + (1 << 25));
}
