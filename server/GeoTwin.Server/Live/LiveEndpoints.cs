using GeoTwin.Server.Status;
using System.Security.Claims;
using System.Text.Json;
using GeoTwin.Server.Infrastructure;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Infrastructure.Errors;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace GeoTwin.Server.Live;

public sealed record UnitSummary(long Id, string CallSign, string Kind, string Station, string Status, DateTime? LastFixAt,
    double? Lon, double? Lat, double? FixAgeSeconds, float? SpeedKmh, float? HeadingDeg, string Freshness);

public sealed record StatusChange(string? Status, string? Expected, string? Reason, long? IncidentId);

public sealed record StatusChanged(long UnitId, string Status, DateTime ChangedAt);

public sealed record NearUnit(long Id, string CallSign, string Kind, string Status, double Lon, double Lat, double DistanceM);

public sealed record Track(long UnitId, DateTime From, DateTime To, long Fixes, List<double[]> Points);

/// <param name="Points">[epoch seconds, lon, lat, heading or -1]</param>
/// <param name="Statuses">the status at the window's start, then each change, oldest first</param>
public sealed record ReplayUnit(long UnitId, List<double[]> Points, List<UnitStatusAt> Statuses);

public sealed record UnitStatusAt(double At, string Status);

/// <summary>
/// Police units live: position ingest (device tokens), status changes, the units list, nearest units, tracks and
/// replay; the push side is <see cref="LiveHub"/>, the in-memory picture <see cref="LiveUnits"/>.
/// </summary>
public static class LiveEndpoints
{
    public static WebApplicationBuilder AddLive(this WebApplicationBuilder builder)
    {
        var options = LiveOptions.From(builder.Configuration);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(SharedRules.Freshness(builder.Configuration));
        builder.Services.AddSingleton<LiveUnits>();
        builder.Services.AddSingleton<LiveStore>();
        builder.Services.AddSingleton<LiveSync>();
        builder.Services.AddHostedService(s => s.GetRequiredService<LiveSync>());
        builder.Services.AddSingleton<PositionWriter>();
        builder.Services.AddHostedService(s => s.GetRequiredService<PositionWriter>());
        builder.Services.AddHostedService<LivePush>();
        builder.Services.AddSingleton<LiveRelay>();
        builder.Services.AddHostedService(s => s.GetRequiredService<LiveRelay>());
        builder.Services.AddHealthPart<LiveRelay>("liveRelay", (relay, _) => relay.Health());
        builder.Services.AddHostedService<UnitSimulatorService>();
        builder.Services.AddSingleton<LiveFeed>();
        builder.Services.AddHealthPart<LiveFeed>("liveFeed", (feed, now) => feed.Now(now));
        builder.Services.AddHostedService<LiveFeedWatch>();
        builder.Services.AddSingleton(Jt808.Jt808Options.From(builder.Configuration));
        builder.Services.AddSingleton<Jt808.Jt808Health>();
        builder.Services.AddSingleton<Jt808.Jt808Codes>();
        builder.Services.AddSingleton<Jt808.Jt808Gateway>();
        builder.Services.AddHostedService(s => s.GetRequiredService<Jt808.Jt808Gateway>());
        builder.Services.AddHealthPart<Jt808.Jt808Health>("jt808", (health, _) => health.Describe());
        var signalR = builder.Services.AddSignalR();
        // Several nodes share pushes through Redis; a single node needs none.
        if (builder.Configuration.GetConnectionString("Redis") is { Length: > 0 } redis) signalR.AddStackExchangeRedis(redis);
        return builder;
    }

    public static WebApplication MapLiveEndpoints(this WebApplication app)
    {
        app.MapHub<LiveHub>(LiveHub.Path);

        app.MapPost("/api/positions", IngestAsync).WithTags("Units").RequireAuthorization(Policies.PositionIngest)
            .WithMetadata(new DataVersionsSetup.MovesNoDataVersion()) // police_units and unit_positions carry no data version
            .WithName("IngestPositions").WithSummary("A batch of fixes from devices; each bad fix is reported by index, the good ones kept.")
            .RefusesStrangers().Refuses(400, 413, 503);

        var staff = app.MapGroup("/api/units").WithTags("Units").RequireAuthorization(Policies.Staff).RefusesStrangers();
        staff.MapGet("/", ListAsync).WithName("ListUnits").WithSummary("Every unit the caller may see, with its latest fix, its age and freshness.");
        staff.MapGet("/nearest", Nearest).WithName("NearestUnits").WithSummary("k nearest available units to a point (in memory, straight-line metres).").Refuses(400);
        staff.MapGet("/replay", ReplayAsync).WithName("ReplayUnits").WithSummary("Every visible unit's positions over a window, sampled per step.").Refuses(400);
        staff.MapGet("/{id:long}/track", TrackAsync).WithName("UnitTrack").WithSummary("One unit's track over a window, simplified for display.").Refuses(400, 404);
        app.MapPost("/api/units/{id:long}/status", ChangeStatusAsync).WithTags("Units")
            .RequireAuthorization(p => p.RequireRole(Roles.Admin, Roles.Commander, Roles.Dispatcher, Roles.CommunityOfficer))
            .WithName("ChangeUnitStatus").WithSummary("An officer or dispatcher changes a unit's status (rules in change_unit_status).")
            .RefusesStrangers().Refuses(400, 404, 409, 422);
        return app;
    }

    /// <remarks>422 when no fix of the batch was kept: the report (not a problem body) says why for each.</remarks>
    static async Task<Results<Ok<IngestReport>, UnprocessableEntity<IngestReport>, ProblemHttpResult>> IngestAsync(HttpContext http, ClaimsPrincipal user, LiveUnits units, LiveSync sync, PositionWriter writer,
        LiveStore store, CancellationToken ct)
    {
        var maxBytes = units.Options.MaxBatchBytes;
        ProblemHttpResult TooLarge() =>
            TypedResults.Problem(statusCode: 413, title: "Payload too large", detail: $"body: at most {maxBytes:N0} bytes ({units.Options.MaxBatch} fixes) a request");
        if (http.Request.ContentLength > maxBytes) return TooLarge();
        // The server-wide body limit (1 MiB) is for small JSON: this endpoint's own limit is the one that holds here,
        // or a body between the two would make Kestrel throw in the middle of parsing (a 500).
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = maxBytes;
        JsonDocument body;
        try
        {
            using var limited = new LimitedStream(http.Request.Body, maxBytes);
            body = await JsonDocument.ParseAsync(limited, new JsonDocumentOptions { MaxDepth = 8 }, ct);
        }
        // A chunked body has no length to check first: whichever counter trips first, the answer is the same.
        catch (LimitedStream.TooLargeException) { return TooLarge(); }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge) { return TooLarge(); }
        catch (JsonException e) { return Problems.BadRequest("body", $"not JSON: {e.Message}"); }

        using (body)
        {
            var (fixes, error) = PositionIngest.ReadBatch(body);
            if (fixes is null) return Problems.BadRequest("body", error!);
            if (fixes.Count > units.Options.MaxBatch)
                return TypedResults.Problem(statusCode: 413, title: "Payload too large", detail: $"fixes: {fixes.Count} in one batch, at most {units.Options.MaxBatch}");
            var token = CurrentUser.From(user);
            bool InScope(LiveUnit u) => JurisdictionPaths.InScope(u.JurisdictionPath, token.JurisdictionPath);
            var (good, bad) = PositionIngest.Check(fixes, units, InScope, DateTime.UtcNow);
            if (bad.Any(b => b.Reason.StartsWith("unknown", StringComparison.Ordinal)))
            {
                await sync.RefreshAsync(ct); // a unit created a moment ago
                (good, bad) = PositionIngest.Check(fixes, units, InScope, DateTime.UtcNow);
            }

            var heldBefore = good.Select(g => g.Fix.UnitId).Distinct().ToDictionary(id => id, id => units.Find(id)?.FixAt);
            try
            {
                await writer.WriteAsync(good.Select(g => g.Fix).ToList());
            }
            catch (Exception e) when (DatabaseUnavailable.Is(e))
            {
                http.Response.Headers.RetryAfter = "1";
                return TypedResults.Problem(statusCode: 503, title: "Service unavailable",
                    detail: "the database is not reachable: nothing of this batch was stored, send it again");
            }
            var historyOnly = good.Count(g => heldBefore[g.Fix.UnitId] is { } held && g.Fix.FixTime <= held);
            var statuses = await ApplyReportedStatusesAsync(good, units, store, token.Name, ct);
            var report = new IngestReport(good.Count, historyOnly, bad, statuses);
            return good.Count == 0 && bad.Count > 0 ? TypedResults.UnprocessableEntity(report) : TypedResults.Ok(report);
        }
    }

    /// <summary>A device's reported status goes through the same rules as anyone's; a refusal does not cost the fix.</summary>
    static async Task<List<StatusReport>> ApplyReportedStatusesAsync(List<CheckedFix> good, LiveUnits units, LiveStore store, string by, CancellationToken ct)
    {
        var reports = new List<StatusReport>();
        foreach (var latest in good.Where(g => g.Status is not null).GroupBy(g => g.Fix.UnitId).Select(g => g.MaxBy(f => f.Fix.FixTime)))
        {
            if (units.Find(latest.Fix.UnitId)?.Status == latest.Status) continue;
            try
            {
                await store.ChangeStatusAsync(latest.Fix.UnitId, latest.Status!, by, null, null, "reported by device", ct);
                units.ApplyStatus(latest.Fix.UnitId, latest.Status!);
                reports.Add(new StatusReport(latest.Index, latest.Fix.UnitId, latest.Status!, null));
            }
            catch (PostgresException e) when (Infrastructure.Errors.Refusal.StatusOf(e) is not null)
            {
                reports.Add(new StatusReport(latest.Index, latest.Fix.UnitId, latest.Status!, e.MessageText));
            }
        }
        return reports;
    }

    static async Task<Results<Ok<StatusChanged>, ProblemHttpResult>> ChangeStatusAsync(long id, StatusChange change, ClaimsPrincipal user,
        ScopedDb db, LiveStore store, LiveUnits units, CancellationToken ct)
    {
        if (change.Status is null || !Vocabulary.UnitStatuses.Contains(change.Status))
            return Problems.BadRequest("status", $"must be one of {Vocabulary.UnitStatuses}");
        if (change.Expected is not null && !Vocabulary.UnitStatuses.Contains(change.Expected))
            return Problems.BadRequest("expected", $"must be one of {Vocabulary.UnitStatuses}");
        if (Problems.CheckText(change.Reason, 500, required: false) is { } reason) return Problems.BadRequest("reason", reason);
        var caller = CurrentUser.From(user);
        // Visibility is decided by row-level security; the change itself runs as GeoTwin (it writes).
        var visible = await db.RunAsync(caller, s => s.Sql("Live/unit_visible.sql", id).ListAsync(r => r.GetString(0), ct), ct);
        if (visible.Count == 0) return Problems.NotFound($"no unit has id {id}");
        // change_unit_status raises GT404/GT409/GT422 for a transition the rules forbid: RefusalHandler answers them.
        var at = await store.ChangeStatusAsync(id, change.Status, caller.Name, change.Expected, change.IncidentId, change.Reason, ct);
        units.ApplyStatus(id, change.Status);
        return TypedResults.Ok(new StatusChanged(id, change.Status, at));
    }

    static async Task<Ok<List<UnitSummary>>> ListAsync(ClaimsPrincipal user, ScopedDb db, PositionFreshness freshness, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        return TypedResults.Ok(await db.RunAsync(CurrentUser.From(user), s => s.Sql("Live/list_units.sql").ListAsync(r =>
        {
            var age = r.Nullable<double?>(8);
            return new UnitSummary(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.Nullable<DateTime?>(5),
                r.Nullable<double?>(6), r.Nullable<double?>(7), age, r.Nullable<float?>(9), r.Nullable<float?>(10), freshness.ClassifyAge(age));
        }, ct), ct));
    }

    static Results<Ok<List<NearUnit>>, ProblemHttpResult> Nearest(ClaimsPrincipal user, LiveUnits units, double? lon, double? lat, int k = 5)
    {
        if (lon is not (>= -180 and <= 180)) return Problems.BadRequest("lon", "is required, between -180 and 180");
        if (lat is not (>= -90 and <= 90)) return Problems.BadRequest("lat", "is required, between -90 and 90");
        if (k is < 1 or > 100) return Problems.BadRequest("k", "must be between 1 and 100");
        var scope = CurrentUser.From(user).Scope;
        var now = DateTime.UtcNow;
        var near = units.Nearest(lon.Value, lat.Value, k, u => JurisdictionPaths.InScope(u.JurisdictionPath, scope) &&
            u.Status == "available" && !units.FreshnessRule.IsOffline(u.FixAt, now));
        return TypedResults.Ok(near.Select(n => new NearUnit(n.Unit.Id, n.Unit.CallSign, n.Unit.Kind, n.Unit.Status, n.Unit.Lon, n.Unit.Lat,
            Math.Round(n.DistanceM, 1))).ToList());
    }

    /// <summary>The one rule for a replay or track window: from before to, at most <paramref name="longest"/>; by default the last hour.</summary>
    internal static (DateTime From, DateTime To, ProblemHttpResult? Error) Window(DateTimeOffset? from, DateTimeOffset? to, TimeSpan longest)
    {
        var end = to?.UtcDateTime ?? DateTime.UtcNow;
        var start = from?.UtcDateTime ?? end.AddHours(-1);
        if (start >= end) return (start, end, Problems.BadRequest("from", "must be before to"));
        if (end - start > longest) return (start, end, Problems.BadRequest("to", $"the window may be at most {longest.TotalHours:0} hours"));
        return (start, end, null);
    }

    static async Task<Results<Ok<Track>, ProblemHttpResult>> TrackAsync(long id, ClaimsPrincipal user, ScopedDb db, CancellationToken ct,
        DateTimeOffset? from = null, DateTimeOffset? to = null, double toleranceM = 5)
    {
        var (start, end, error) = Window(from, to, TimeSpan.FromDays(7));
        if (error is not null) return error;
        if (toleranceM is < 0 or > 10_000) return Problems.BadRequest("toleranceM", "must be between 0 and 10000");
        return await db.RunAsync(CurrentUser.From(user), async s =>
        {
            var visible = await s.Sql("Live/unit_visible.sql", id).ListAsync(r => r.GetString(0), ct);
            if (visible.Count == 0) return (Results<Ok<Track>, ProblemHttpResult>)Problems.NotFound($"no unit has id {id}");
            var track = await s.Sql("Live/track.sql", id, start, end, toleranceM / 111_320.0).ListAsync(r =>
                new Track(id, start, end, r.GetInt64(0), r.IsDBNull(1) ? [] : ((double[,])r.GetValue(1)).Rows()), ct);
            return TypedResults.Ok(track[0]);
        }, ct);
    }

    static async Task<Results<Ok<List<ReplayUnit>>, ProblemHttpResult>> ReplayAsync(ClaimsPrincipal user, ScopedDb db, CancellationToken ct,
        DateTimeOffset? from = null, DateTimeOffset? to = null, int stepSeconds = 10)
    {
        var (start, end, error) = Window(from, to, TimeSpan.FromHours(24));
        if (error is not null) return error;
        if (stepSeconds is < 1 or > 3600) return Problems.BadRequest("stepSeconds", "must be between 1 and 3600");
        const int maxPoints = 500_000;
        var rows = await db.RunAsync(CurrentUser.From(user), s => s.Sql("Live/replay.sql", start, end, (double)stepSeconds, maxPoints + 1)
            .ListAsync(r => (Unit: r.GetInt64(0), Point: new[] { r.GetDouble(1), r.GetDouble(2), r.GetDouble(3), r.IsDBNull(4) ? -1 : r.GetFloat(4) }), ct), ct);
        if (rows.Count > maxPoints) return Problems.BadRequest("stepSeconds", $"more than {maxPoints} points: choose a larger step or a shorter window");
        var statuses = (await db.RunAsync(CurrentUser.From(user), s => s.Sql("Live/replay_statuses.sql", start, end)
            .ListAsync(r => (Unit: r.GetInt64(0), Status: new UnitStatusAt(r.GetDouble(1), r.GetString(2))), ct), ct))
            .ToLookup(r => r.Unit, r => r.Status);
        return TypedResults.Ok(rows.GroupBy(r => r.Unit).Select(g => new ReplayUnit(g.Key, g.Select(r => r.Point).ToList(), statuses[g.Key].ToList())).ToList());
    }

    static List<double[]> Rows(this double[,] grid) =>
        Enumerable.Range(0, grid.GetLength(0)).Select(i => Enumerable.Range(0, grid.GetLength(1)).Select(j => grid[i, j]).ToArray()).ToList();
}

/// <summary>Reads at most a given number of bytes, then throws, so an oversized body is refused before it is parsed whole.</summary>
sealed class LimitedStream(Stream inner, long limit) : Stream
{
    public sealed class TooLargeException : Exception;
    long _read;
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => Count(await inner.ReadAsync(buffer, ct));
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();
    int Count(int n) { _read += n; return _read > limit ? throw new TooLargeException() : n; }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
