using System.Text.Json;
using GeoTwin.Server.Dispatch.Routing;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Live;
using GeoTwin.Server.Infrastructure.Errors;
using Npgsql;

namespace GeoTwin.Server.Dispatch;

public sealed record IncidentRow(long Id, string Code, string Category, int Priority, string Status, double Lon, double Lat, string Path,
    string JurisdictionName, DateTime ReceivedAt, DateTime? FirstDispatchAt, DateTime? FirstArrivalAt, DateTime? ClosedAt,
    string? Description, string? Disposition, string? MergedInto);

/// <summary>
/// Incidents and their units. Request-time work runs in the caller's scoped session (row-level security covers the
/// writes too, migration 0050); each step is one call of a dispatch_* SQL function, all or nothing.
/// Units, their statuses and positions come from Live's in-memory picture (<see cref="LiveUnits"/>), which every
/// accepted fix reaches; the unit statuses a step changed are put there at once (<see cref="Mirror"/>).
/// </summary>
public sealed class DispatchStore(ScopedDb scoped, NpgsqlDataSource db, RoadGraphCache graphs, LiveUnits live,
    DispatchOptions options, DispatchNotifier notify)
{
    public DispatchOptions Options => options;

    /// <summary>
    /// Runs in a scoped session. The SQL functions' GT404/GT409/GT422 go up as they are (RefusalHandler answers them);
    /// the one unique index a step can hit is a unit's single active assignment.
    /// </summary>
    async Task<T> RunAsync<T>(CurrentUser user, Func<ScopedSession, Task<T>> work, CancellationToken ct)
    {
        try
        {
            return await scoped.RunAsync(user, work, ct);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation)
        {
            throw Refusal.Conflict("the unit is already on an incident");
        }
    }

    static IncidentRow ReadIncident(NpgsqlDataReader r) => new(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt16(3), r.GetString(4),
        r.GetDouble(5), r.GetDouble(6), r.GetString(7), r.GetString(8), r.GetDateTime(9), r.Nullable<DateTime?>(10), r.Nullable<DateTime?>(11),
        r.Nullable<DateTime?>(12), r.Nullable<string>(13), r.Nullable<string>(14), r.Nullable<string>(15));

    static async Task<IncidentRow> IncidentAsync(ScopedSession s, string code, CancellationToken ct) =>
        await s.Sql("Dispatch/incident.sql", code).FirstOrDefaultAsync(ReadIncident, ct)
        ?? throw Refusal.NotFound($"no incident you may see has code '{code}'");

    public async Task<IncidentCreated> CreateAsync(CurrentUser user, string category, int priority, string? description, string? phone,
        string? callerName, double lon, double lat, string? addressCode, DateTime? receivedAt, CancellationToken ct)
    {
        var created = await RunAsync(user, async s =>
        {
            var place = await s.Sql("Dispatch/jurisdiction_at.sql", lon, lat).FirstOrDefaultAsync(r => new
            {
                Id = r.GetInt64(0), Code = r.GetString(1), Name = r.GetString(2), Path = r.GetString(3), Community = r.Nullable<long?>(4),
            }, ct);
            if (place is null)
            {
                await using var roots = s.Sql("Dispatch/roots.sql");
                throw Refusal.Unprocessable($"location: ({lon:0.######}, {lat:0.######}) is outside the jurisdiction of {await roots.ExecuteScalarAsync(ct) as string ?? "GeoTwin"}",
                    "location");
            }
            if (!JurisdictionPaths.InScope(place.Path, user.Scope))
                throw Refusal.Unprocessable($"location: ({lon:0.######}, {lat:0.######}) lies in {place.Name} ({place.Code}), outside your jurisdiction",
                    "location");

            var (id, code) = (await s.Sql("Dispatch/create_incident.sql", category, (short)priority, description, lon, lat, addressCode,
                    user.TokenId is null ? "manual" : "call_platform", place.Id, place.Community, receivedAt)
                .FirstOrDefaultAsync(r => Tuple.Create(r.GetInt64(0), r.GetString(1)), ct))!;
            if (phone is not null || callerName is not null)
                await Exec(s.Sql("Dispatch/add_caller.sql", id, phone, callerName), ct);
            await Event(s, id, user.Name, "intake", null, new { category, priority, lon, lat, address = addressCode, receivedAt }, ct);
            var offers = await s.Sql("Dispatch/merge_candidates.sql", id, options.MergeMetres, options.MergeMinutes).ListAsync(r => new MergeOffer(
                r.GetString(0), r.GetString(1), r.GetInt16(2), r.GetString(3), r.GetDateTime(4), r.GetDouble(5), r.GetDouble(6),
                Math.Round(r.GetDouble(7), 1)), ct);
            if (offers.Count > 0) await Event(s, id, user.Name, "merge_offer", null, new { candidates = offers.Select(o => o.Code) }, ct);
            return (new IncidentCreated(code, lon, lat, place.Name, addressCode, offers), place.Path);
        }, ct);
        await notify.ChangedAsync(created.Path, new IncidentChanged(created.Item1.Code, "new", "intake"));
        return created.Item1;
    }

    public Task<IncidentDetail> DetailAsync(CurrentUser user, string code, CancellationToken ct) =>
        RunAsync(user, async s =>
        {
            var i = await IncidentAsync(s, code, ct);
            var units = await s.Sql("Dispatch/incident_units.sql", i.Id).ListAsync(r => new IncidentUnit(r.GetInt64(0), r.GetString(1),
                r.GetString(2), r.GetDateTime(3), r.GetString(4), r.Nullable<float?>(5), r.Nullable<DateTime?>(6), r.Nullable<string>(7),
                r.Nullable<DateTime?>(8), r.Nullable<string>(9)), ct);
            return new IncidentDetail(i.Code, i.Category, i.Priority, i.Status, i.Lon, i.Lat, i.JurisdictionName, i.ReceivedAt, i.FirstDispatchAt,
                i.FirstArrivalAt, i.ClosedAt, i.Description, i.Disposition, i.MergedInto, units);
        }, ct);

    public Task<List<TrailEntry>> TrailAsync(CurrentUser user, string code, CancellationToken ct) =>
        RunAsync(user, async s =>
        {
            var i = await IncidentAsync(s, code, ct);
            return await s.Sql("Dispatch/trail.sql", i.Id).ListAsync(r => new TrailEntry(r.GetDateTime(0), r.GetString(1), r.GetString(2),
                r.Nullable<long?>(3), r.Nullable<string>(4), r.Nullable<string>(5)), ct);
        }, ct);

    public async Task<Recommendations> RecommendAsync(CurrentUser user, string code, int k, string? capability, CancellationToken ct)
    {
        var incident = await RunAsync(user, s => IncidentAsync(s, code, ct), ct);
        var graph = await graphs.GetAsync(ct);
        var states = await UnitStatesAsync(ct);
        if (capability is not null)
        {
            // An unknown capability would rank every unit as lacking it: refuse it and say which ones exist.
            var known = states.Where(u => JurisdictionPaths.InScope(u.JurisdictionPath, user.Scope)).SelectMany(u => u.Capabilities)
                .Distinct().Order(StringComparer.Ordinal).ToList();
            if (!known.Contains(capability))
                throw Refusal.BadRequest("capability", $"no unit you may see has '{capability}'; known: {(known.Count == 0 ? "none" : string.Join(", ", known))}");
        }
        return Recommender.Rank(graph, new IncidentPlace(incident.Id, incident.Category, incident.Priority, incident.Lon, incident.Lat, incident.Path),
            incident.Code, states, options, DateTime.UtcNow, k, capability, user.Scope);
    }

    /// <summary>
    /// Every unit as Live holds it, with the incident it is on now. All units, not only the caller's: the ranking marks
    /// the ones outside the caller's scope itself and never lists them (Recommender, OutsideYours).
    /// </summary>
    async Task<List<UnitState>> UnitStatesAsync(CancellationToken ct)
    {
        var active = (await ActiveAssignmentsAsync(ct)).ToDictionary(a => a.UnitId);
        return live.Snapshot().Select(u =>
        {
            var state = new UnitState(u.Id, u.CallSign, u.Kind, u.Capabilities ?? [], u.Status, u.HasFix ? u.Lon : null, u.HasFix ? u.Lat : null,
                u.FixAt, u.JurisdictionPath);
            return active.TryGetValue(u.Id, out var a) ? state with { ActiveIncidentId = a.IncidentId, ActiveIncidentCode = a.Code, ActiveIncidentPriority = a.Priority } : state;
        }).ToList();
    }

    /// <summary>
    /// Puts the unit statuses a committed step left in the database into Live's picture now, so the next
    /// recommendation sees them (LiveSync would pick them up within seconds; a dispatcher clicks faster).
    /// </summary>
    IncidentDetail Mirror(IncidentDetail detail)
    {
        foreach (var u in detail.Units) live.ApplyStatus(u.UnitId, u.UnitStatus);
        return detail;
    }

    internal sealed record Assignment(long UnitId, long IncidentId, string Code, int Priority, double Lon, double Lat, bool Arrived, string Path);

    internal Task<List<Assignment>> ActiveAssignmentsAsync(CancellationToken ct) =>
        db.Sql("Dispatch/active_assignments.sql").ListAsync(r => new Assignment(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetInt16(3),
            r.GetDouble(4), r.GetDouble(5), r.GetBoolean(6), r.GetString(7)), ct);

    public async Task<IncidentDetail> DispatchAsync(CurrentUser user, string code, IReadOnlyList<UnitChoice> choices, CancellationToken ct)
    {
        // ETAs for the trail, from the same ranking the dispatcher saw (best effort: the dispatch does not depend on them)
        var etas = new Dictionary<long, double>();
        try
        {
            var ranked = await RecommendAsync(user, code, 50, null, ct);
            foreach (var r in ranked.Units.Concat(ranked.Ineligible)) if (r.EtaSeconds >= 0) etas[r.UnitId] = r.EtaSeconds;
        }
        catch (Refusal) { }
        var path = await RunAsync(user, async s =>
        {
            var i = await IncidentAsync(s, code, ct);
            foreach (var c in choices)
                await Exec(s.Sql("Dispatch/assign.sql", i.Id, c.UnitId!.Value, user.Name, c.SeenStatus,
                    etas.TryGetValue(c.UnitId.Value, out var eta) ? (float?)eta : null), ct);
            return i.Path;
        }, ct);
        await notify.ChangedAsync(path, new IncidentChanged(code, "dispatched", "dispatch"));
        return Mirror(await DetailAsync(user, code, ct));
    }

    public async Task<IncidentDetail> ArriveAsync(CurrentUser user, string code, long unitId, CancellationToken ct)
    {
        var path = await RunAsync(user, async s =>
        {
            var i = await IncidentAsync(s, code, ct);
            await Exec(s.Sql("Dispatch/arrive.sql", i.Id, unitId, user.Name, "by_hand"), ct);
            return i.Path;
        }, ct);
        await notify.ChangedAsync(path, new IncidentChanged(code, "on_scene", "arrival"));
        return Mirror(await DetailAsync(user, code, ct));
    }

    /// <summary>Arrival noticed from a position (the arrival watcher, GeoTwin's own login).</summary>
    internal async Task ArrivedByPositionAsync(Assignment a, CancellationToken ct)
    {
        try
        {
            await Exec(db.Sql("Dispatch/arrive.sql", a.IncidentId, a.UnitId, "system:arrival", "position"), ct);
        }
        catch (PostgresException e) when (Refusal.StatusOf(e) is not null)
        {
            return; // a dispatcher got there first (released, closed, or marked arrived by hand)
        }
        live.ApplyStatus(a.UnitId, "on_scene"); // what dispatch_arrive (0050) set

        await notify.ChangedAsync(a.Path, new IncidentChanged(a.Code, "on_scene", "arrival"));
    }

    public async Task<IncidentDetail> ReassignAsync(CurrentUser user, string code, long unitId, UnitChoice? to, CancellationToken ct)
    {
        var path = await RunAsync(user, async s =>
        {
            var i = await IncidentAsync(s, code, ct);
            if (i.Status is not ("new" or "dispatched" or "on_scene")) throw Refusal.Conflict($"incident {code} is {i.Status} already");
            await Exec(s.Sql("Dispatch/release.sql", i.Id, unitId, user.Name, "reassigned", "reassign"), ct);
            if (to is not null) await Exec(s.Sql("Dispatch/assign.sql", i.Id, to.UnitId!.Value, user.Name, to.SeenStatus, null), ct);
            return i.Path;
        }, ct);
        await notify.ChangedAsync(path, new IncidentChanged(code, "dispatched", "reassign"));
        return Mirror(await DetailAsync(user, code, ct));
    }

    /// <param name="status">closed, cancelled or merged</param>
    public async Task<IncidentDetail> FinishAsync(CurrentUser user, string code, string status, string? text, string? mergeInto, CancellationToken ct)
    {
        var path = await RunAsync(user, async s =>
        {
            var i = await IncidentAsync(s, code, ct);
            long? into = null;
            if (mergeInto is not null)
            {
                var target = await s.Sql("Dispatch/incident.sql", mergeInto).FirstOrDefaultAsync(ReadIncident, ct)
                    ?? throw Refusal.NotFound($"no incident you may see has code '{mergeInto}'");
                if (target.Id == i.Id) throw Refusal.Unprocessable("into: an incident cannot be merged into itself", "into");
                if (target.Status is not ("new" or "dispatched" or "on_scene")) throw Refusal.Conflict($"incident {mergeInto} is {target.Status}: merge into an open one");
                into = target.Id;
                await Event(s, target.Id, user.Name, "merge", null, new { merged = code }, ct);
            }
            await Exec(s.Sql("Dispatch/finish.sql", i.Id, user.Name, status, text, into), ct);
            return i.Path;
        }, ct);
        await notify.ChangedAsync(path, new IncidentChanged(code, status, status));
        if (mergeInto is not null) await notify.ChangedAsync(path, new IncidentChanged(mergeInto, "open", "merge"));
        return Mirror(await DetailAsync(user, code, ct));
    }

    static Task Event(ScopedSession s, long incident, string actor, string kind, long? unit, object details, CancellationToken ct) =>
        Exec(s.Sql("Dispatch/add_event.sql", incident, actor, kind, unit, JsonSerializer.Serialize(details, JsonSerializerOptions.Web)), ct);

    static async Task Exec(NpgsqlCommand cmd, CancellationToken ct)
    {
        await using (cmd) await cmd.ExecuteNonQueryAsync(ct);
    }
}
