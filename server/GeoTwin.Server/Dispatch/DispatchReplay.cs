using System.Security.Claims;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Live;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GeoTwin.Server.Dispatch;

public sealed record StatusChange(DateTime At, string Status);

/// <param name="Changes">oldest first, from intake ("new") on, only those before the window's end</param>
public sealed record IncidentReplay(string Code, string Category, int Priority, double Lon, double Lat, IReadOnlyList<StatusChange> Changes);

/// <summary>The after-action review's incidents: each one's status over a window, next to the units' replay (Live).</summary>
public static partial class DispatchEndpoints
{
    const int MaxReplayIncidents = 20_000;

    static async Task<Results<Ok<List<IncidentReplay>>, ProblemHttpResult>> ReplayAsync(ClaimsPrincipal user, ScopedDb db, CancellationToken ct,
        DateTimeOffset? from = null, DateTimeOffset? to = null)
    {
        var (start, end, error) = LiveEndpoints.Window(from, to, TimeSpan.FromDays(7));
        if (error is not null) return error;
        var rows = await db.RunAsync(CurrentUser.From(user), s => s.Sql("Dispatch/replay_incidents.sql", start, end, MaxReplayIncidents + 1).ListAsync(r =>
        {
            // The status only moves forward (0050: new → dispatched → on_scene → an end), so these times are its changes.
            var changes = new List<StatusChange> { new(r.GetDateTime(5), "new") };
            if (r.Nullable<DateTime?>(6) is { } dispatched) changes.Add(new(dispatched, "dispatched"));
            if (r.Nullable<DateTime?>(7) is { } arrived) changes.Add(new(arrived, "on_scene"));
            if (r.Nullable<DateTime?>(8) is { } ended) changes.Add(new(ended, r.GetString(9)));
            return new IncidentReplay(r.GetString(0), r.GetString(1), r.GetInt16(2), r.GetDouble(3), r.GetDouble(4),
                changes.Where(c => c.At < end).OrderBy(c => c.At).ToList());
        }, ct), ct);
        if (rows.Count > MaxReplayIncidents) return Problems.BadRequest("from", $"more than {MaxReplayIncidents} incidents: choose a shorter window");
        return TypedResults.Ok(rows);
    }
}
