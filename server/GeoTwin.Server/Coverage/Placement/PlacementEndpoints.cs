using System.Security.Claims;
using System.Text;
using System.Text.Json;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Infrastructure.Errors;
using Microsoft.AspNetCore.Http.HttpResults;
using NetTopologySuite.Geometries;
using Npgsql;

namespace GeoTwin.Server.Coverage.Placement;

public sealed record ImportedSites(string Batch, int Imported);
public sealed record SiteOut(long Id, string? Name, double Lon, double Lat, string Batch, DateTimeOffset ImportedAt);

/// <summary>A placement request in a body: the query's parameters and a drawn area (a GeoJSON Polygon in EPSG:4326).</summary>
public sealed record PlacementBody(int K = 5, string? Jurisdiction = null, double SpacingM = 50, string Kind = "ptz", double MountHeightM = 6,
    double FovDeg = 90, double RangeM = 50, string Weights = "incidents", int Months = 12, bool? Exact = null, string Sites = "streets",
    double? Budget = null, double CostPerCamera = 1, JsonElement? Area = null)
{
    // A method, not a property: the body's JSON has no "request" (an ignored property would accept anything there).
    public PlacementRequest ToRequest() => new(K, Jurisdiction, SpacingM, Kind, MountHeightM, FovDeg, RangeM, Weights, Months, Exact, Sites, Budget, CostPerCamera);
}

/// <summary>The planner's own candidates: imported sites (lamp posts) and a drawn area, and placement asked with a body.</summary>
public static class PlacementEndpoints
{
    public const int MaxImportBytes = 1 << 20; // the server-wide body limit; about 20,000 CSV rows
    public const int MaxAreaVertices = 2000;
    static readonly GeometryFactory Wgs84 = new(new PrecisionModel(), 4326);

    public static void Map(RouteGroupBuilder planning)
    {
        planning.MapPost("/placement", SuggestAsync).WithName("SuggestCamerasInArea")
            .WithSummary("As GET /placement, with the parameters in a JSON body and an area the planner drew (a GeoJSON Polygon) limiting the candidates and the streets counted.")
            .Refuses(400, 404, 422);
        planning.MapPost("/sites", ImportAsync).WithName("ImportCameraSites")
            .WithSummary("Import candidate sites (lamp posts): CSV with lon, lat[, name] columns, or a GeoJSON FeatureCollection of Points. All rows or none: every bad row is named.")
            .Refuses(400, 413); // the content type is checked by the handler, so a wrong one is told which to send
        planning.MapGet("/sites", ListAsync).WithName("ListCameraSites").WithSummary("The caller's imported candidate sites.").Refuses(400);
    }

    /// <summary>The one set of checks a placement request passes, by query or by body.</summary>
    public static ProblemHttpResult? Check(PlacementRequest q)
    {
        if (q.Budget is null && q.K is < 1 or > PlacementRequest.MaxK) return Problems.BadRequest("k", $"must be between 1 and {PlacementRequest.MaxK}");
        if (q.Budget is not null)
        {
            if (q.Budget is <= 0 || !double.IsFinite(q.Budget.Value)) return Problems.BadRequest("budget", "must be a positive number");
            if (q.CostPerCamera is <= 0 || !double.IsFinite(q.CostPerCamera)) return Problems.BadRequest("costPerCamera", "must be a positive number");
            if (q.Cameras < 1) return Problems.BadRequest("budget", $"buys no camera at {q.CostPerCamera} a camera");
            if (q.Cameras > PlacementRequest.MaxK) return Problems.BadRequest("budget", $"buys {q.Cameras} cameras; at most {PlacementRequest.MaxK} are placed at once");
        }
        if (q.Jurisdiction is not null && Problems.CheckText(q.Jurisdiction, 64) is { } reason) return Problems.BadRequest("jurisdiction", reason);
        if (q.SpacingM is < 5 or > 1000) return Problems.BadRequest("spacingM", "must be between 5 and 1000 metres");
        if (q.Kind is not ("ptz" or "fixed")) return Problems.BadRequest("kind", "must be ptz or fixed");
        if (q.MountHeightM is < 0 or > 300) return Problems.BadRequest("mountHeightM", "must be between 0 and 300 metres");
        if (q.FovDeg is <= 0 or > 360) return Problems.BadRequest("fovDeg", "must be above 0 and at most 360 degrees");
        if (q.RangeM is <= 0 or > 500) return Problems.BadRequest("rangeM", "must be above 0 and at most 500 metres");
        if (q.Weights is not ("incidents" or "length")) return Problems.BadRequest("weights", "must be incidents or length");
        if (q.Months is < 1 or > 120) return Problems.BadRequest("months", "must be between 1 and 120");
        if (q.Sites is not ("streets" or "imported" or "both")) return Problems.BadRequest("sites", "must be streets, imported or both");
        return null;
    }

    static async Task<Results<Ok<PlacementAnswer>, ProblemHttpResult>> SuggestAsync(PlacementBody body, ClaimsPrincipal user, PlacementStore store,
        CancellationToken ct)
    {
        var q = body.ToRequest();
        if (Check(q) is { } problem) return problem;
        Geometry? area = null;
        if (body.Area is { ValueKind: not JsonValueKind.Null } a)
        {
            var (polygon, error) = ReadPolygon(a);
            if (error is not null) return Problems.BadRequest("area", error);
            area = polygon;
        }
        return TypedResults.Ok(await store.SuggestAsync(CurrentUser.From(user), q, ct, area));
    }

    /// <summary>A GeoJSON Polygon (one outer ring, optional holes) in lon/lat, valid and not empty; or why not.</summary>
    public static (Polygon? Polygon, string? Error) ReadPolygon(JsonElement g)
    {
        if (g.ValueKind != JsonValueKind.Object || !g.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "Polygon")
            return (null, "must be a GeoJSON Polygon");
        if (!g.TryGetProperty("coordinates", out var rings) || rings.ValueKind != JsonValueKind.Array || rings.GetArrayLength() == 0)
            return (null, "coordinates: must be an array of rings");
        var made = new List<LinearRing>();
        var vertices = 0;
        foreach (var ring in rings.EnumerateArray())
        {
            if (ring.ValueKind != JsonValueKind.Array) return (null, "coordinates: each ring must be an array of [lon, lat]");
            var cs = new List<Coordinate>();
            foreach (var p in ring.EnumerateArray())
            {
                if (++vertices > MaxAreaVertices) return (null, $"has more than {MaxAreaVertices} vertices");
                if (p.ValueKind != JsonValueKind.Array || p.GetArrayLength() < 2 || p[0].ValueKind != JsonValueKind.Number || p[1].ValueKind != JsonValueKind.Number)
                    return (null, "coordinates: each position must be [lon, lat]");
                var (x, y) = (p[0].GetDouble(), p[1].GetDouble());
                if (x is < -180 or > 180 || y is < -90 or > 90) return (null, $"coordinates: [{x}, {y}] is not a longitude and latitude");
                cs.Add(new Coordinate(x, y));
            }
            if (cs.Count > 0 && !cs[0].Equals2D(cs[^1])) cs.Add(cs[0].Copy()); // an unclosed ring is closed, as drawn
            if (cs.Count < 4) return (null, "coordinates: a ring needs at least three distinct positions");
            made.Add(Wgs84.CreateLinearRing(cs.ToArray()));
        }
        var polygon = Wgs84.CreatePolygon(made[0], made.Skip(1).ToArray());
        if (!polygon.IsValid) return (null, "is not a valid polygon (its edges cross or a ring is degenerate)");
        if (polygon.Area <= 0) return (null, "encloses no area");
        return (polygon, null);
    }

    static async Task<Results<Created<ImportedSites>, ProblemHttpResult>> ImportAsync(HttpContext http, ClaimsPrincipal user, NpgsqlDataSource owner,
        CancellationToken ct, string? batch = null)
    {
        batch ??= $"import-{DateTime.UtcNow:yyyyMMdd-HHmmss}";
        if (Problems.CheckText(batch, 64) is { } why) return Problems.BadRequest("batch", why);
        // A batch is named for people to tell batches apart: words, digits, spaces, '-', '_' and '.', no markup or quotes.
        if (!batch.All(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_' or '.'))
            return Problems.BadRequest("batch", "may hold letters, digits, spaces, '-', '_' and '.' only");
        var type = http.Request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        var csv = type is "text/csv" or "text/plain";
        if (!csv && type is not ("application/json" or "application/geo+json"))
            return Problems.BadRequest("body", "send text/csv (lon, lat[, name]) or application/geo+json (a FeatureCollection of Points)");
        ProblemHttpResult TooLarge() => TypedResults.Problem(statusCode: 413, title: "Payload too large", detail: $"body: at most {MaxImportBytes:N0} bytes a request");
        if (http.Request.ContentLength > MaxImportBytes) return TooLarge();
        string text;
        try
        {
            using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
            var buffer = new char[MaxImportBytes + 1];
            var n = await reader.ReadBlockAsync(buffer, ct);
            if (n > MaxImportBytes) return TooLarge();
            text = new string(buffer, 0, n);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge) { return TooLarge(); }
        if (text.Trim().Length == 0) return Problems.BadRequest("body", "is empty");

        var (rows, bad) = SiteImport.Read(text, csv);
        var total = rows.Count + bad.Count(b => b.Row > 0);
        if (bad.Count == 0 && rows.Count == 0) return Problems.BadRequest("body", "holds no sites");
        if (total > SiteImport.MaxRows) return Problems.BadRequest("body", $"holds {total:N0} rows; at most {SiteImport.MaxRows:N0} a request");
        var me = CurrentUser.From(user);
        var scope = me.Scope == "*" ? "" : me.Scope;
        var jids = new long?[rows.Count];
        if (rows.Count > 0)
        {
            var places = await owner.Sql("Coverage/Placement/site_places.sql", rows.Select(r => r.Lon).ToArray(), rows.Select(r => r.Lat).ToArray(), scope)
                .ListAsync(r => (I: r.GetInt32(0), Jid: r.IsDBNull(1) ? (long?)null : r.GetInt64(1), Inside: !r.IsDBNull(2) && r.GetBoolean(2)), ct);
            foreach (var p in places)
            {
                if (p.Jid is null || !p.Inside) bad.Add(new BadSite(rows[p.I - 1].Row, "lon", "the point lies outside your jurisdiction"));
                else jids[p.I - 1] = p.Jid;
            }
        }
        if (bad.Count > 0)
        {
            bad.Sort((a, b) => a.Row.CompareTo(b.Row));
            var first = bad[0];
            return TypedResults.Problem(statusCode: 400, title: "Bad request",
                detail: $"{bad.Count} of {total} rows cannot be imported; nothing was imported. "
                        + (first.Row > 0 ? $"Row {first.Row}, {first.Field}: {first.Reason}" : $"{first.Field}: {first.Reason}"),
                extensions: new Dictionary<string, object?> { ["field"] = first.Field, ["rows"] = bad.Take(1000).ToList() });
        }
        await using var insert = owner.Sql("Coverage/Placement/insert_sites.sql", rows.Select(r => r.Lon).ToArray(), rows.Select(r => r.Lat).ToArray(),
            rows.Select(r => r.Name).ToArray(), batch, me.Name, scope, jids.Select(j => j!.Value).ToArray());
        var inserted = await insert.ExecuteNonQueryAsync(ct);
        return TypedResults.Created("/api/coverage/sites", new ImportedSites(batch, inserted));
    }

    static async Task<Results<Ok<List<SiteOut>>, ProblemHttpResult>> ListAsync(ClaimsPrincipal user, ScopedDb db, CancellationToken ct, int limit = 5000)
    {
        if (limit is < 1 or > PlacementStore.MaxImportedSites) return Problems.BadRequest("limit", $"must be between 1 and {PlacementStore.MaxImportedSites}");
        return TypedResults.Ok(await db.RunAsync(CurrentUser.From(user), s => s.Sql("Coverage/Placement/list_sites.sql", limit)
            .ListAsync(r => new SiteOut(r.GetInt64(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetDouble(2), r.GetDouble(3), r.GetString(4),
                r.GetFieldValue<DateTimeOffset>(5)), ct), ct));
    }
}
