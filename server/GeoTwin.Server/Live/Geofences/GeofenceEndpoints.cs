using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using GeoTwin.Server.Hotspots;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Infrastructure.Errors;
using GeoTwin.Server.Status;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace GeoTwin.Server.Live.Geofences;

public sealed record CircleBody(double Lon, double Lat, double RadiusM);

/// <summary>A new fence: a drawn <c>area</c> (GeoJSON Polygon/MultiPolygon, [lon, lat]) or a <c>circle</c>.</summary>
public sealed record GeofenceBody(string? Name, JsonElement? Area, CircleBody? Circle, string[]? Rules, double MarginM = 0,
    int? DwellMinutes = null, long[]? UnitIds = null, string[]? UnitKinds = null, string? ActiveHours = null);

public sealed record GeofenceView(long Id, string Name, JsonElement Area, string[] Rules, double MarginM, int? DwellMinutes,
    long[]? UnitIds, string[]? UnitKinds, int[]? ActiveHours, string Jurisdiction, string JurisdictionName, string CreatedBy, DateTime CreatedAt);

public sealed record GeofenceEventView(long Id, long FenceId, string FenceName, long UnitId, string? CallSign, string? UnitKind,
    string Rule, DateTime At, double Lon, double Lat);

/// <summary>/api/geofences: fences in the caller's scope, drawn by the dispatch roles; the events the ingest raised.</summary>
public static class GeofenceEndpoints
{
    public static WebApplicationBuilder AddGeofences(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<GeofenceService>();
        builder.Services.AddHostedService(s => s.GetRequiredService<GeofenceService>());
        builder.Services.AddHealthPart<GeofenceService>("geofences", (s, _) => s.Health());
        builder.Services.AddGeofenceWebhooks(builder.Configuration);
        return builder;
    }

    public static WebApplication MapGeofenceEndpoints(this WebApplication app)
    {
        var staff = app.MapGroup("/api/geofences").WithTags("Geofences").RequireAuthorization(Policies.Staff).RefusesStrangers();
        staff.MapGet("/", ListAsync).WithName("ListGeofences").WithSummary("Fences in the caller's jurisdiction with their rules.");
        staff.MapGet("/events", EventsAsync).WithName("GeofenceEvents")
            .WithSummary("The latest enter/exit/inside/outside/cross/dwell events of fences in the caller's jurisdiction.").Refuses(400);
        var dispatch = app.MapGroup("/api/geofences").WithTags("Geofences").RequireAuthorization(Policies.Dispatch).RefusesStrangers();
        dispatch.MapPost("/", CreateAsync).WithName("CreateGeofence")
            .WithSummary("Draw a fence (a polygon or a circle) with its rules; it is watched from the next fix on.").Refuses(400, 422);
        dispatch.MapDelete("/{id:long}", DeleteAsync).WithName("DeleteGeofence").Refuses(404);
        return app;
    }

    static Task<List<GeofenceView>> ListAsync(ClaimsPrincipal user, ScopedDb scoped, CancellationToken ct) => ReadAsync(user, scoped, null, ct);

    static Task<List<GeofenceView>> ReadAsync(ClaimsPrincipal user, ScopedDb scoped, long? id, CancellationToken ct) =>
        scoped.RunAsync(CurrentUser.From(user), s => s.Sql("Live/Geofences/list_fences.sql", id).ListAsync(r => new GeofenceView(
            r.GetInt64(0), r.GetString(1), JsonDocument.Parse(r.GetString(2)).RootElement.Clone(), r.GetFieldValue<string[]>(3), r.GetDouble(4),
            r.Nullable<int?>(5), r.Nullable<long[]>(6), r.Nullable<string[]>(7), r.Nullable<int[]>(8), r.GetString(9), r.GetString(10),
            r.GetString(11), r.GetDateTime(12)), ct), ct);

    static Task<List<GeofenceEventView>> EventsAsync(ClaimsPrincipal user, ScopedDb scoped, CancellationToken ct, DateTimeOffset? since = null, int limit = 100)
    {
        if (limit is < 1 or > 1000) throw Refusal.BadRequest("limit", "must be between 1 and 1000");
        return scoped.RunAsync(CurrentUser.From(user), s => s.Sql("Live/Geofences/list_events.sql", since?.UtcDateTime, limit).ListAsync(r =>
            new GeofenceEventView(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetInt64(3), r.Nullable<string>(4), r.Nullable<string>(5),
                r.GetString(6), r.GetDateTime(7), r.GetDouble(8), r.GetDouble(9)), ct), ct);
    }

    static async Task<Created<GeofenceView>> CreateAsync(GeofenceBody body, ClaimsPrincipal user, ScopedDb scoped, NpgsqlDataSource db,
        GeofenceService fences, CancellationToken ct)
    {
        var area = AreaText(body); // first: the one free-form part of the body, which the framework's binding cannot check
        if (Problems.CheckText(body.Name, 200) is { } nameProblem) throw Refusal.BadRequest("name", nameProblem);
        List<string?> problems;
        try
        {
            problems = await db.Sql("Live/Geofences/check_area.sql", area).ListAsync(r => r.IsDBNull(0) ? null : r.GetString(0), ct);
        }
        catch (PostgresException e) when (e.SqlState is "XX000" or "22023" or "22P02")
        {
            throw Refusal.BadRequest("area", $"is not GeoJSON PostGIS can read: {e.MessageText}");
        }
        if (problems is [{ } problem]) throw Refusal.BadRequest(body.Circle is null ? "area" : "circle", problem);
        if (body.Rules is not { Length: > 0 } rules || rules.Any(r => !FenceRules.All.Contains(r)))
            throw Refusal.BadRequest("rules", $"give one or more of {string.Join(", ", FenceRules.All)}");
        if (body.MarginM is < 0 or > 1000 || !double.IsFinite(body.MarginM)) throw Refusal.BadRequest("marginM", "must be between 0 and 1000 metres");
        var dwells = rules.Contains(FenceRules.Dwell);
        if (dwells != body.DwellMinutes.HasValue)
            throw Refusal.BadRequest("dwellMinutes", dwells ? "the dwell rule needs dwellMinutes (1 to 1440)" : "is only for the dwell rule");
        if (body.DwellMinutes is < 1 or > 1440) throw Refusal.BadRequest("dwellMinutes", "must be between 1 and 1440 minutes");
        if (body.UnitKinds?.FirstOrDefault(k => !Vocabulary.UnitKinds.Contains(k)) is { } kind)
            throw Refusal.BadRequest("unitKinds", $"'{Printable(kind)}' is not a unit kind ({Vocabulary.UnitKinds})");
        if (body.UnitIds is { Length: > 1000 }) throw Refusal.BadRequest("unitIds", "at most 1000 units");
        int[]? hours = null;
        if (body.ActiveHours is { } h)
        {
            if (h.Length > 100 || HotspotFilters.ParseRanges(h, 0, 23) is not { Count: > 0 } set)
                throw Refusal.BadRequest("activeHours", $"'{Printable(HotspotFilters.BadPart(h, 0, 23))}' is not within 0-23: give hours of the day, e.g. 22-6 or 8-12,14-18");
            hours = set.Count == 24 ? null : [.. set];
        }
        var me = CurrentUser.From(user);
        var ids = await scoped.RunAsync(me, s => s.Sql("Live/Geofences/insert_fence.sql", body.Name!.Trim(), area, rules.Distinct().ToArray(),
            body.MarginM, body.DwellMinutes, body.UnitIds, body.UnitKinds, hours, me.Name, me.Scope == "*" ? "" : me.Scope)
            .ListAsync(r => r.GetInt64(0), ct), ct);
        if (ids.Count == 0) throw Refusal.Unprocessable($"{(body.Circle is null ? "area" : "circle")}: the fence's centre is outside your jurisdiction",
            body.Circle is null ? "area" : "circle");
        await fences.RefreshAsync(ids[0], ct); // watched from the next fix on
        var created = (await ReadAsync(user, scoped, ids[0], ct)).Single();
        return TypedResults.Created($"/api/geofences/{ids[0]}", created);
    }

    static async Task<NoContent> DeleteAsync(long id, ClaimsPrincipal user, ScopedDb scoped, GeofenceService fences, CancellationToken ct)
    {
        var gone = await scoped.RunAsync(CurrentUser.From(user), s => s.Sql("Live/Geofences/delete_fence.sql", id).ListAsync(r => r.GetInt64(0), ct), ct);
        if (gone.Count == 0) throw Refusal.NotFound($"no fence {id} in your jurisdiction");
        await fences.RefreshAsync(id, ct);
        return TypedResults.NoContent();
    }

    /// <summary>The area as GeoJSON text for PostGIS, from the drawn polygon or the circle.</summary>
    static string AreaText(GeofenceBody body)
    {
        if ((body.Area is { ValueKind: not JsonValueKind.Null }) == (body.Circle is not null))
            throw Refusal.BadRequest("area", "give either area (a GeoJSON Polygon or MultiPolygon) or circle ({lon, lat, radiusM}), one of them");
        if (body.Circle is { } c)
        {
            if (c.Lon is < -180 or > 180 || !double.IsFinite(c.Lon)) throw Refusal.BadRequest("circle.lon", "must be between -180 and 180");
            if (c.Lat is < -85 or > 85 || !double.IsFinite(c.Lat)) throw Refusal.BadRequest("circle.lat", "must be between -85 and 85");
            if (c.RadiusM is < 10 or > 100_000 || !double.IsFinite(c.RadiusM)) throw Refusal.BadRequest("circle.radiusM", "must be between 10 and 100000 metres");
            var ring = Fence.Circle(c.Lon, c.Lat, c.RadiusM).Coordinates;
            var sb = new StringBuilder("""{"type":"Polygon","coordinates":[[""");
            sb.AppendJoin(',', ring.Select(p => string.Create(CultureInfo.InvariantCulture, $"[{p.X:R},{p.Y:R}]")));
            return sb.Append("]]}").ToString();
        }
        var area = body.Area!.Value;
        if (area.ValueKind != JsonValueKind.Object || !area.TryGetProperty("type", out _) || !area.TryGetProperty("coordinates", out _))
            throw Refusal.BadRequest("area", "must be a GeoJSON geometry object with type and coordinates");
        return area.GetRawText();
    }

    static string Printable(string s) => new(s.Take(40).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
