using GeoTwin.Server.Status;
using System.Security.Claims;
using GeoTwin.Server.Coverage.Placement;
using GeoTwin.Server.Coverage.Streets;
using GeoTwin.Server.Coverage.Video;
using GeoTwin.Server.Coverage.Visibility;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Infrastructure.Errors;
using GeoTwin.Server.Infrastructure.Geo;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GeoTwin.Server.Coverage;

public sealed record CameraSummary(string Id, string? Name, double Lon, double Lat, double MountHeightM, double? HeadingDeg,
    double FovDeg, double RangeM, string Kind, string Owner, string Status);

/// <summary>Cameras and what they see. Coverage gaps and placement come with the coverage feature.</summary>
public static class CoverageEndpoints
{
    public static WebApplicationBuilder AddCoverage(this WebApplicationBuilder builder)
    {
        var health = new VisibilityHealth();
        builder.Services.AddSingleton(health);
        builder.Services.AddHealthPart<VisibilityHealth>("coverage", (h, _) => h.Status);
        builder.Services.AddSingleton<StreetsStore>();
        builder.Services.AddSingleton<PlacementStore>();
        if (builder.Configuration.GetValue("GeoTwin:Coverage:Worker", true)) builder.Services.AddHostedService<VisibilityWorker>();
        else health.Set("off");
        builder.AddVideo();
        return builder;
    }

    public static WebApplication MapCoverageEndpoints(this WebApplication app)
    {
        var staff = app.MapGroup("/api/cameras").WithTags("Cameras").RequireAuthorization(Policies.Staff).RefusesStrangers();
        staff.MapGet("/", ListAsync).WithName("ListCameras").WithSummary("Cameras in the caller's jurisdiction, optionally in a bbox.").Refuses(400);
        staff.MapGet("/{id}", FindAsync).WithName("GetCamera").Refuses(400, 404);
        var planning = app.MapGroup("/api/coverage").WithTags("Coverage").RequireAuthorization(Policies.Planning).RefusesStrangers();
        planning.MapGet("/streets", StreetsAsync).WithName("StreetCoverage")
            .WithSummary("Streets in ≤ 20 m segments: the covered share of street length, plain and weighted by incident density, per station, responsibility area and community, and the segments that most need a camera.")
            .Refuses(400, 404);
        planning.MapGet("/placement", PlacementAsync).WithName("SuggestCameras")
            .WithSummary("Where k new cameras would cover the most street length weighted by incidents: lazy greedy, and the exact optimum by integer programming for up to 500 candidates, with the gap between them.")
            .Refuses(400, 404);
        planning.MapPost("/planned", PlanAsync).WithName("PlanCamera")
            .WithSummary("Accept a suggestion: a planned camera at the site, its visibility computed at once, so the coverage figures move.")
            .Refuses(400, 422);
        app.MapVideoEndpoints();
        PlacementEndpoints.Map(planning);
        staff.MapGet("/{id}/visibility", VisibilityAsync).WithName("CameraVisibility")
            .WithSummary("What the camera really sees: its field of view less what buildings hide, as last computed (GeoJSON MultiPolygon).").Refuses(400, 404);
        return app;
    }

    public sealed record PlannedCamera(double Lon, double Lat, double? HeadingDeg = null, string Kind = "ptz", double FovDeg = 90, double RangeM = 50,
        double MountHeightM = 6, string? Name = null);

    static async Task<Results<Created<CameraSummary>, ProblemHttpResult>> PlanAsync(PlannedCamera body, ClaimsPrincipal user,
        Npgsql.NpgsqlDataSource owner, CancellationToken ct)
    {
        if (body.Lon is < -180 or > 180) return Problems.BadRequest("lon", "must be between -180 and 180");
        if (body.Lat is < -90 or > 90) return Problems.BadRequest("lat", "must be between -90 and 90");
        if (body.HeadingDeg is < 0 or >= 360) return Problems.BadRequest("headingDeg", "must be at least 0 and below 360");
        if (body.Kind is not ("ptz" or "fixed" or "dome")) return Problems.BadRequest("kind", "must be fixed, dome or ptz");
        if (body.FovDeg is <= 0 or > 360) return Problems.BadRequest("fovDeg", "must be above 0 and at most 360 degrees");
        if (body.RangeM is <= 0 or > 5000) return Problems.BadRequest("rangeM", "must be above 0 and at most 5000 metres");
        if (body.MountHeightM is < 0 or > 300) return Problems.BadRequest("mountHeightM", "must be between 0 and 300 metres");
        if (body.Name is not null && Problems.CheckText(body.Name, 200) is { } reason) return Problems.BadRequest("name", reason);
        var me = CurrentUser.From(user);
        var scope = me.Scope == "*" ? "" : me.Scope;
        // As GeoTwin's own login, so the next serial is free across every station; the scope test is in the SQL.
        var ids = await owner.Sql("Coverage/Placement/plan_camera.sql", body.Lon, body.Lat, body.HeadingDeg, body.FovDeg, body.RangeM,
            body.MountHeightM, body.Kind, scope, body.Name ?? "规划点位").ListAsync(r => r.GetString(0), ct);
        if (ids.Count == 0)
            return TypedResults.Problem(statusCode: 422, title: "Unprocessable", detail: "lon: the site is outside your jurisdiction",
                extensions: new Dictionary<string, object?> { ["field"] = "lon" });
        await VisibilityStore.RefreshAsync(owner, ct); // its polygon now, not when the worker wakes
        var camera = await owner.Sql("Coverage/camera_by_id.sql", ids[0]).FirstOrDefaultAsync(Read, ct);
        return TypedResults.Created($"/api/cameras/{ids[0]}", camera);
    }

    static async Task<Results<Ok<StreetsAnswer>, ProblemHttpResult>> StreetsAsync(ClaimsPrincipal user, StreetsStore store, CancellationToken ct,
        string? jurisdiction = null, int months = 12, int top = 20, bool segments = false)
    {
        if (jurisdiction is not null && Problems.CheckText(jurisdiction, 64) is { } reason) return Problems.BadRequest("jurisdiction", reason);
        if (months is < 1 or > 120) return Problems.BadRequest("months", "must be between 1 and 120");
        if (top is < 0 or > 1000) return Problems.BadRequest("top", "must be between 0 and 1000");
        var picture = await store.LoadAsync(CurrentUser.From(user), jurisdiction, months, ct);
        return TypedResults.Ok(StreetsStore.Answer(picture, top, segments));
    }

    static async Task<Results<Ok<PlacementAnswer>, ProblemHttpResult>> PlacementAsync(ClaimsPrincipal user, PlacementStore store,
        [AsParameters] PlacementRequest q, CancellationToken ct)
    {
        if (PlacementEndpoints.Check(q) is { } problem) return problem;
        return TypedResults.Ok(await store.SuggestAsync(CurrentUser.From(user), q, ct));
    }

    static async Task<Results<Ok<CameraSummary>, ProblemHttpResult>> FindAsync(string id, ClaimsPrincipal user, ScopedDb db, CancellationToken ct)
    {
        if (Problems.CheckText(id, 20) is { } reason) return Problems.BadRequest("id", reason);
        var camera = await db.RunAsync(CurrentUser.From(user), s => s.Sql("Coverage/camera_by_id.sql", id).FirstOrDefaultAsync(Read, ct), ct);
        return camera is null ? Problems.NotFound($"no camera has id '{id}'") : TypedResults.Ok(camera);
    }

    public sealed record VisibilityOut(string CameraId, double AreaM2, DateTimeOffset ComputedAt, double[][][][] Coordinates)
    {
        public string Type => "MultiPolygon";
    }

    static async Task<Results<Ok<VisibilityOut>, ProblemHttpResult>> VisibilityAsync(string id, ClaimsPrincipal user, ScopedDb db, CancellationToken ct)
    {
        if (Problems.CheckText(id, 20) is { } reason) return Problems.BadRequest("id", reason);
        var found = await db.RunAsync(CurrentUser.From(user), s => s.Sql("Coverage/camera_visibility.sql", id).FirstOrDefaultAsync(r =>
            new VisibilityOut(r.GetString(0), r.GetDouble(1), r.GetFieldValue<DateTimeOffset>(2), Rings(r.GetFieldValue<NetTopologySuite.Geometries.Geometry>(3))), ct), ct);
        // one answer for "no such camera", "not yours" (RLS) and "not computed yet": the worker computes every camera soon
        return found is null ? Problems.NotFound($"id: no visibility for camera '{id}' (unknown, outside your jurisdiction, or not computed yet)") : TypedResults.Ok(found);
    }

    static double[][][][] Rings(NetTopologySuite.Geometries.Geometry g) => Enumerable.Range(0, g.NumGeometries).Select(g.GetGeometryN)
        .OfType<NetTopologySuite.Geometries.Polygon>()
        .Select(p => new[] { p.ExteriorRing }.Concat(p.InteriorRings).Select(ring => ring.Coordinates
            .Select(c => new[] { Math.Round(c.X, 7), Math.Round(c.Y, 7) }).ToArray()).ToArray()).ToArray();

    static CameraSummary Read(Npgsql.NpgsqlDataReader r) => new(r.GetString(0), r.Nullable<string>(1), r.GetDouble(2), r.GetDouble(3),
        r.GetFloat(4), r.Nullable<float?>(5), r.GetFloat(6), r.GetFloat(7), r.GetString(8), r.GetString(9), r.GetString(10));

    static async Task<Results<Ok<List<CameraSummary>>, ProblemHttpResult>> ListAsync(ClaimsPrincipal user, ScopedDb db, CancellationToken ct,
        string? bbox = null, int limit = 1000)
    {
        var (box, error) = Bbox.Parse(bbox);
        if (error is not null) return Problems.BadRequest("bbox", error);
        if (limit is < 1 or > 10_000) return Problems.BadRequest("limit", "must be between 1 and 10000");
        return TypedResults.Ok(await db.RunAsync(CurrentUser.From(user), s => s.Sql("Coverage/list_cameras.sql",
                box?.West, box?.South, box?.East, box?.North, limit)
            .ListAsync(Read, ct), ct));
    }
}
