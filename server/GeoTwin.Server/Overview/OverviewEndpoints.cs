using System.Security.Claims;
using GeoTwin.Server.Hotspots;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Infrastructure.Errors;
using GeoTwin.Server.Live;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GeoTwin.Server.Overview;

public sealed record OpenCount(int Priority, string Status, int Count, int Overdue);

/// <summary>Incidents received: today and this week so far, and the same spans one week earlier (the bureau's clock).</summary>
public sealed record IntakeCounts(int Today, int SameDayLastWeek, int ThisWeek, int SameSpanLastWeek);

public sealed record UnitCount(string Status, string Freshness, int Count);

/// <summary>The commander's overview in one read: what is open, what is overdue, what came in, what the units are doing.</summary>
/// <param name="Now">the server's clock (the screen's timers count from the server's times)</param>
/// <param name="TimeZone">the bureau's clock "today" and "this week" were read in</param>
public sealed record OverviewSummary(DateTime Now, string TimeZone, int OpenTotal, int OverdueTotal, IReadOnlyList<OpenCount> Open,
    IntakeCounts Intake, IReadOnlyList<UnitCount> Units);

/// <summary>
/// The overview's counts, scoped like every read: incidents through row-level security, units by the caller's
/// jurisdiction path over Live's in-memory picture (the one truth of unit status and freshness Dispatch reads too).
/// The list of open incidents with their timers is /api/incidents?status=open; this is the part a list cannot give.
/// </summary>
public static class OverviewEndpoints
{
    public static WebApplication MapOverviewEndpoints(this WebApplication app)
    {
        app.MapGet("/api/overview", SummaryAsync).WithTags("Overview").RequireAuthorization(Policies.Staff).RefusesStrangers()
            .WithName("Overview").WithSummary("Open incidents by priority and status (with overdue ones), today's and this week's intake against last week, units by status.");
        return app;
    }

    static async Task<Ok<OverviewSummary>> SummaryAsync(HttpContext http, ClaimsPrincipal principal, ScopedDb db, HotspotsStore hotspots, LiveUnits live, CancellationToken ct)
    {
        var user = CurrentUser.From(principal);
        // The bureau's clock is the one the hot spot hours are read in (jurisdictions.time_zone, inherited).
        var zone = await hotspots.TimeZoneAsync(user, null, await hotspots.VersionAsync(http, ct), ct);
        var (now, open, intake) = await db.RunAsync(user, async s =>
        {
            var now = await s.Sql("Overview/now.sql").FirstOrDefaultAsync(r => (object)r.GetDateTime(0), ct);
            var rows = await s.Sql("Overview/open_incidents.sql", (object)Vocabulary.OpenIncidentStatuses.ToArray()).ListAsync(r =>
                (Priority: (int)r.GetInt16(0), Status: r.GetString(1), Received: r.GetDateTime(2), Dispatched: r.Nullable<DateTime?>(3), Arrived: r.Nullable<DateTime?>(4)), ct);
            var counts = await s.Sql("Overview/intake_counts.sql", zone).FirstOrDefaultAsync(r =>
                new IntakeCounts((int)r.GetInt64(0), (int)r.GetInt64(1), (int)r.GetInt64(2), (int)r.GetInt64(3)), ct);
            return ((DateTime)now!, rows, counts!);
        }, ct);

        // Overdue by the vocabulary's targets, measured on the database's clock like the incidents' own times.
        var byGroup = open.GroupBy(i => (i.Priority, i.Status)).OrderBy(g => g.Key.Priority)
            .ThenBy(g => Vocabulary.IncidentStatuses.ToList().IndexOf(g.Key.Status))
            .Select(g => new OpenCount(g.Key.Priority, g.Key.Status, g.Count(),
                g.Count(i => Vocabulary.PriorityTargets.TryGetValue(i.Priority, out var target) && target.IsOverdue(i.Received, i.Dispatched, i.Arrived, now))))
            .ToList();

        var clock = DateTime.UtcNow;
        var units = live.Snapshot().Where(u => JurisdictionPaths.InScope(u.JurisdictionPath, user.Scope))
            .GroupBy(u => (u.Status, Freshness: u.Freshness(clock, live.FreshnessRule)))
            .OrderBy(g => Vocabulary.UnitStatuses.ToList().IndexOf(g.Key.Status)).ThenBy(g => g.Key.Freshness)
            .Select(g => new UnitCount(g.Key.Status, g.Key.Freshness, g.Count())).ToList();

        return TypedResults.Ok(new OverviewSummary(now, zone, byGroup.Sum(g => g.Count), byGroup.Sum(g => g.Overdue), byGroup, intake, units));
    }
}
