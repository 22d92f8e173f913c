using System.Security.Claims;
using System.Text.Json;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Infrastructure.Errors;
using GeoTwin.Server.Status;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace GeoTwin.Server.Live.Crowds;

public sealed record SensorBody(string? Code, string? Name);

/// <summary>A new counting area: its outline (GeoJSON Polygon/MultiPolygon, [lon, lat]), capacity, the day's periods, sensors.</summary>
public sealed record CrowdAreaBody(string? Name, JsonElement? Area, int Capacity, ThresholdBody?[]? Thresholds, SensorBody?[]? Sensors);

public sealed record CrowdAreaView(long Id, string Name, JsonElement Area, int Capacity, IReadOnlyList<CrowdPeriod> Thresholds, string Level,
    DateTime? LevelSince, string Jurisdiction, string JurisdictionName, int? Count, DateTime? CountAt, double? Fraction, string[] Sensors);

/// <summary>Today's counts by 15 minutes beside a typical day (the median of earlier days), in the area's local time.</summary>
public sealed record CrowdDayView(long AreaId, string Name, int Capacity, string Date, string TimeZone, int SlotMinutes, int?[] Today,
    double?[] Typical, string TypicalBasis, string[] TypicalDays);

/// <summary>/api/crowds: counting areas in the caller's scope with their count and level, a day's curve, the level changes; the ingest.</summary>
public static class CrowdEndpoints
{
    public const int SlotMinutes = 15;
    const int Slots = 24 * 60 / SlotMinutes;

    public static WebApplicationBuilder AddCrowds(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<CrowdService>();
        builder.Services.AddHealthPart<CrowdService>("crowds", (s, _) => s.Health());
        builder.Services.AddHostedService<CrowdFeederService>();
        return builder;
    }

    public static WebApplication MapCrowdEndpoints(this WebApplication app)
    {
        var staff = app.MapGroup("/api/crowds").WithTags("Crowds").RequireAuthorization(Policies.Staff).RefusesStrangers();
        staff.MapGet("/areas", ListAsync).WithName("ListCrowdAreas")
            .WithSummary("Counting areas in the caller's jurisdiction with their count now, capacity and crowd level.");
        staff.MapGet("/areas/{id:long}/today", TodayAsync).WithName("CrowdAreaToday")
            .WithSummary("An area's counts today by 15 minutes and a typical day (median of the same weekday of the last 4 weeks, else of the days there are).")
            .Refuses(404);
        staff.MapGet("/events", EventsAsync).WithName("CrowdEvents")
            .WithSummary("The latest crowd level changes (yellow, orange, red warnings and back to normal) in the caller's jurisdiction.").Refuses(400);
        app.MapPost("/api/crowds/areas", CreateAsync).WithTags("Crowds").RequireAuthorization(p => p.RequireRole(Roles.Admin, Roles.Commander))
            .WithName("CreateCrowdArea").WithSummary("Draw a counting area with its capacity, thresholds by time of day and sensors.")
            .RefusesStrangers().Refuses(400, 409, 422);
        app.MapPost("/api/crowds/counts", IngestAsync).WithTags("Crowds").RequireAuthorization(Policies.CrowdIngest)
            .WithName("IngestCrowdCounts").WithSummary("A batch of up to 1000 counts from counters; all stored, or none with the field at fault.")
            .RefusesStrangers().Refuses(400, 413, 422, 503);
        return app;
    }

    static Task<List<CrowdAreaView>> ListAsync(ClaimsPrincipal user, ScopedDb scoped, CancellationToken ct) => ReadAsync(user, scoped, null, ct);

    static Task<List<CrowdAreaView>> ReadAsync(ClaimsPrincipal user, ScopedDb scoped, long? id, CancellationToken ct) =>
        scoped.RunAsync(CurrentUser.From(user), s => s.Sql("Live/Crowds/list_areas.sql", id).ListAsync(r =>
        {
            var capacity = r.GetInt32(3);
            var count = r.Nullable<int?>(9);
            return new CrowdAreaView(r.GetInt64(0), r.GetString(1), JsonDocument.Parse(r.GetString(2)).RootElement.Clone(), capacity,
                CrowdThresholds.FromJson(r.GetString(4)).Periods, r.GetString(5), r.Nullable<DateTime?>(6), r.GetString(7), r.GetString(8),
                count, r.Nullable<DateTime?>(10), count is { } c ? Math.Round((double)c / capacity, 3) : null, r.GetFieldValue<string[]>(11));
        }, ct), ct);

    static Task<List<CrowdEventView>> EventsAsync(ClaimsPrincipal user, ScopedDb scoped, CancellationToken ct, DateTimeOffset? since = null, int limit = 100)
    {
        if (limit is < 1 or > 1000) throw Refusal.BadRequest("limit", "must be between 1 and 1000");
        return scoped.RunAsync(CurrentUser.From(user), s => s.Sql("Live/Crowds/list_events.sql", since?.UtcDateTime, limit).ListAsync(r =>
            new CrowdEventView(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt32(5), r.GetInt32(6),
                r.GetDateTime(7)), ct), ct);
    }

    static Task<CrowdDayView> TodayAsync(long id, ClaimsPrincipal user, ScopedDb scoped, CancellationToken ct) =>
        scoped.RunAsync(CurrentUser.From(user), async s =>
        {
            var found = await s.Sql("Live/Crowds/area_zone.sql", id).ListAsync(r => (Zone: r.GetString(0), Capacity: r.GetInt32(1), Name: r.GetString(2)), ct);
            if (found is not [var area]) throw Refusal.NotFound($"no counting area {id} in your jurisdiction");
            var zone = TimeZoneInfo.FindSystemTimeZoneById(area.Zone);
            var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.UtcNow, zone));
            DateTime Utc(DateOnly d) => TimeZoneInfo.ConvertTimeToUtc(d.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified), zone);
            var days = await s.Sql("Live/Crowds/area_day_counts.sql", id, Utc(today.AddDays(-28)), Utc(today.AddDays(1)), area.Zone)
                .ListAsync(r => (Day: DateOnly.FromDateTime(r.GetDateTime(0)), Slot: r.GetInt32(1), Count: r.GetInt32(2)), ct);
            var (curve, basis, typicalDays) = TypicalDay.Of(today, days.Select(d => (d.Day, d.Slot, d.Count)).ToList(), Slots);
            var todays = new int?[Slots];
            foreach (var d in days.Where(d => d.Day == today && d.Slot is >= 0 and < Slots)) todays[d.Slot] = d.Count;
            return new CrowdDayView(id, area.Name, area.Capacity, today.ToString("yyyy-MM-dd"), area.Zone, SlotMinutes, todays, curve, basis,
                [.. typicalDays.Select(d => d.ToString("yyyy-MM-dd"))]);
        }, ct);

    /// <remarks>The body is read here, not bound: its problems are named as counts[i].field, which binding cannot do.</remarks>
    static async Task<Results<Ok<CrowdIngestReport>, ProblemHttpResult>> IngestAsync(HttpContext http, ClaimsPrincipal user,
        LiveOptions options, CrowdService crowds, CancellationToken ct)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(http.Request.Body, new JsonDocumentOptions { MaxDepth = 8 }, ct);
        }
        catch (JsonException e) { return Problems.BadRequest("body", $"not JSON: {e.Message}"); }
        using var _ = document;
        var (counts, problems) = CrowdIngest.Read(document.RootElement, options, DateTime.UtcNow);
        if (counts is null)
        {
            var first = problems[0];
            if (first.Field == "counts" && first.Reason.Contains("at most", StringComparison.Ordinal))
                return TypedResults.Problem(statusCode: 413, title: "Payload too large", detail: $"counts: {first.Reason}",
                    extensions: new Dictionary<string, object?> { ["field"] = "counts" });
            throw Refusal.BadRequest(first.Field, $"{first.Reason}; nothing of this batch was stored",
                new Dictionary<string, object?> { ["problems"] = problems });
        }
        try
        {
            return TypedResults.Ok(await crowds.IngestAsync(counts, CurrentUser.From(user).JurisdictionPath, ct));
        }
        catch (Exception e) when (DatabaseUnavailable.Is(e))
        {
            http.Response.Headers.RetryAfter = "1";
            return TypedResults.Problem(statusCode: 503, title: "Service unavailable",
                detail: "the database is not reachable: nothing of this batch was stored, send it again");
        }
    }

    static async Task<Created<CrowdAreaView>> CreateAsync(CrowdAreaBody body, ClaimsPrincipal user, ScopedDb scoped, NpgsqlDataSource db, CancellationToken ct)
    {
        // first: the one free-form part of the body, which the framework's binding cannot check
        if (body.Area is not { ValueKind: JsonValueKind.Object } area || !area.TryGetProperty("type", out _) || !area.TryGetProperty("coordinates", out _))
            throw Refusal.BadRequest("area", "must be a GeoJSON Polygon or MultiPolygon object with type and coordinates");
        if (Problems.CheckText(body.Name, 200) is { } nameProblem) throw Refusal.BadRequest("name", nameProblem);
        var areaText = area.GetRawText();
        List<string?> shape;
        try
        {
            shape = await db.Sql("Live/Geofences/check_area.sql", areaText).ListAsync(r => r.IsDBNull(0) ? null : r.GetString(0), ct);
        }
        catch (PostgresException e) when (e.SqlState is "XX000" or "22023" or "22P02")
        {
            throw Refusal.BadRequest("area", $"is not GeoJSON PostGIS can read: {e.MessageText}");
        }
        if (shape is [{ } problem]) throw Refusal.BadRequest("area", problem);
        if (body.Capacity is < 1 or > 10_000_000) throw Refusal.BadRequest("capacity", "must be a head count between 1 and 10000000");
        var (thresholds, field, reason) = CrowdThresholds.Parse(body.Thresholds);
        if (thresholds is null) throw Refusal.BadRequest($"thresholds{field}", reason!);
        var sensors = body.Sensors ?? [];
        if (sensors.Length > 100) throw Refusal.BadRequest("sensors", "at most 100 sensors an area");
        for (var i = 0; i < sensors.Length; i++)
        {
            if (sensors[i] is not { } sensor) throw Refusal.BadRequest($"sensors[{i}]", "must be an object {code, name}");
            if (Problems.CheckCode(sensor.Code, 64) is { } codeProblem) throw Refusal.BadRequest($"sensors[{i}].code", codeProblem);
            if (Problems.CheckText(sensor.Name, 200, required: false) is { } sensorName) throw Refusal.BadRequest($"sensors[{i}].name", sensorName);
            if (sensors.Take(i).Any(s => s!.Code == sensor.Code)) throw Refusal.BadRequest($"sensors[{i}].code", $"'{sensor.Code}' is listed twice");
        }

        var me = CurrentUser.From(user);
        var id = await scoped.RunAsync(me, async s =>
        {
            var ids = await s.Sql("Live/Crowds/insert_area.sql", body.Name!.Trim(), areaText, body.Capacity, thresholds.ToJson(),
                me.Scope == "*" ? "" : me.Scope, me.Name).ListAsync(r => r.GetInt64(0), ct);
            if (ids is not [var areaId]) throw Refusal.Unprocessable("area: the area's centre is outside your jurisdiction", "area");
            if (sensors.Length == 0) return areaId;
            try
            {
                await using var cmd = s.Sql("Live/Crowds/insert_sensors.sql", areaId, sensors.Select(x => x!.Code!).ToArray(),
                    sensors.Select(x => string.IsNullOrWhiteSpace(x!.Name) ? null : x.Name.Trim()).ToArray());
                await cmd.ExecuteNonQueryAsync(ct);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                throw Refusal.Conflict("sensors: a sensor code given is already in use by another area");
            }
            return areaId;
        }, ct);
        var created = (await ReadAsync(user, scoped, id, ct)).Single();
        return TypedResults.Created($"/api/crowds/areas/{id}", created);
    }
}
