using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Infrastructure.Errors;
using Npgsql;

namespace GeoTwin.Server.Warnings.Instructions;

public sealed record InstructionEventView(string Kind, string? FromStatus, string ToStatus, string Actor, string? Note, DateTime At);

/// <summary>An instruction as the board and the daily list show it; <see cref="Actions"/> are what the caller may do now.</summary>
public sealed record InstructionView(long Id, long PlaceId, string PlaceName, string PlaceKind, string? Warning, DateOnly? Month, string Task,
    long AssigneeId, string AssigneeName, string Holder, DateTime DueAt, string Status, string? Feedback, string? ReturnReason,
    DateTime RaisedAt, string RaisedBy, DateTime? DoneAt, DateTime? VerifiedAt, DateTime? OverdueSince, DateTime? EscalatedAt, string? Rule,
    bool Overdue, IReadOnlyList<string> Actions, IReadOnlyList<InstructionEventView>? History = null);

/// <summary>One station's month: rates are null where there is nothing to divide by.</summary>
public sealed record StationMonthStats(string StationCode, string StationName, string? StationNameEn, int Issued, int DoneOnTime, int Reported,
    int Verified, double? VerifiedRate, double? FeedbackRate, int Black, int BlackLastYear, int Red, int RedLastYear);

public sealed record InstructionStats(string Month, List<StationMonthStats> Stations);

public sealed record InstructionQuery(string? Status = null, long? AssigneeId = null, bool OpenOnly = false, DateTime? DoneSince = null,
    int Limit = 200, long? Id = null, long? PlaceId = null);

/// <summary>
/// Instructions: raised by rule (GeoTwin's own login, in the rules job) or by hand (a leader's scoped session), moved
/// through vocabulary.json's actions by the people they name, every move written beside the row it changes.
/// </summary>
public sealed class InstructionStore(NpgsqlDataSource db, ScopedDb scoped)
{
    /// <summary>The account for <paramref name="holder"/> at a place, climbing the tree while a level has nobody.</summary>
    public static async Task<(long Id, string Name, string Holder)?> HolderAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string path, string holder, CancellationToken ct)
    {
        for (string? h = holder; h is not null; h = InstructionVocabulary.Above(h))
        {
            await using var cmd = DbCommands.WithParameters(new NpgsqlCommand(EmbeddedSql.Get("Warnings/Instructions/resolve_holder.sql"), conn, tx), [path, h]);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (await r.ReadAsync(ct)) return (r.GetInt64(0), r.GetString(1), h);
        }
        return null;
    }

    /// <summary>What <paramref name="user"/> may do to an instruction now: the actions whose from-status and person fit.</summary>
    public static IReadOnlyList<string> ActionsFor(CurrentUser user, string status, long assigneeId) =>
        [.. InstructionVocabulary.Actions.Values.Where(a => a.From.Contains(status) && Refusing(user, a, assigneeId) is null).Select(a => a.Name)];

    /// <summary>Why <paramref name="user"/> may not take <paramref name="action"/> (whatever the status), or null.</summary>
    static string? Refusing(CurrentUser user, InstructionAction action, long assigneeId) => action.ByLeader
        ? !InstructionVocabulary.Leaders.Contains(user.Role) ? $"only {string.Join(" or ", InstructionVocabulary.Leaders)} may {action.Name} an instruction"
          : user.UserId == assigneeId ? $"the person holding an instruction may not {action.Name} it themselves" : null
        : user.UserId != assigneeId ? $"only the person holding the instruction may {action.Name} it" : null;

    public async Task<List<InstructionView>> ListAsync(CurrentUser user, InstructionQuery q, CancellationToken ct) =>
        await scoped.RunAsync(user, s => ListAsync(s, q, ct), ct);

    static async Task<List<InstructionView>> ListAsync(ScopedSession s, InstructionQuery q, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        return await s.Sql("Warnings/Instructions/instructions.sql", q.Status, q.AssigneeId, q.OpenOnly, q.DoneSince, q.Limit, q.Id, q.PlaceId)
            .ListAsync(r =>
            {
                var (status, assignee, due) = (r.GetString(11), r.GetInt64(7), r.GetDateTime(10));
                return new InstructionView(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.Nullable<string>(4),
                    r.IsDBNull(5) ? null : r.GetFieldValue<DateOnly>(5), r.GetString(6), assignee, r.GetString(8), r.GetString(9), due, status,
                    r.Nullable<string>(12), r.Nullable<string>(13), r.GetDateTime(14), r.GetString(15), Time(r, 16),
                    Time(r, 17), Time(r, 18), Time(r, 19), r.Nullable<string>(20),
                    InstructionVocabulary.OpenStatuses.Contains(status) && due < now, ActionsFor(s.User, status, assignee));
            }, ct);
    }

    static DateTime? Time(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDateTime(i);

    /// <summary>One instruction with its history; 404 when it does not exist or lies outside the caller's scope.</summary>
    public Task<InstructionView> GetAsync(CurrentUser user, long id, CancellationToken ct) => scoped.RunAsync(user, s => GetAsync(s, id, ct), ct);

    static async Task<InstructionView> GetAsync(ScopedSession s, long id, CancellationToken ct)
    {
        var one = (await ListAsync(s, new InstructionQuery(Id: id, Limit: 1), ct)).SingleOrDefault()
            ?? throw Refusal.NotFound($"instruction {id} does not exist or is outside your jurisdiction");
        var history = await s.Sql("Warnings/Instructions/events.sql", id).ListAsync(r => new InstructionEventView(r.GetString(0),
            r.Nullable<string>(1), r.GetString(2), r.GetString(3), r.Nullable<string>(4), r.GetDateTime(5)), ct);
        return one with { History = history };
    }

    /// <summary>
    /// Moves an instruction by one action. 404 unknown or out of scope, 403 not the person the action is for, 409 its
    /// status does not allow it (someone moved it first), 400 a missing or oversized text. The row is locked while it is checked.
    /// </summary>
    public Task<InstructionView> ActAsync(CurrentUser user, long id, string actionName, string? text, CancellationToken ct)
    {
        if (!InstructionVocabulary.Actions.TryGetValue(actionName, out var action))
            throw Refusal.NotFound($"action: '{actionName}' is not one of {string.Join(", ", InstructionVocabulary.Actions.Keys)}");
        if (action.Text is { } field)
        {
            if (Problems.CheckText(text, 2000) is { } why) throw Refusal.BadRequest(field, why);
        }
        else if (Problems.CheckText(text, 2000, required: false) is { } why) throw Refusal.BadRequest("note", why);
        return scoped.RunAsync(user, async s =>
        {
            string status; long assignee;
            await using (var cmd = s.Command("SELECT status, assignee_id FROM warning_instructions WHERE id = $1 FOR UPDATE", id))
            await using (var r = await cmd.ExecuteReaderAsync(ct))
            {
                if (!await r.ReadAsync(ct)) throw Refusal.NotFound($"instruction {id} does not exist or is outside your jurisdiction");
                (status, assignee) = (r.GetString(0), r.GetInt64(1));
            }
            if (Refusing(user, action, assignee) is { } who) throw new Refusal(403, who, "action");
            if (!action.From.Contains(status))
                throw Refusal.Conflict($"instruction {id} is {status}: {action.Name} needs it {string.Join(" or ", action.From)}");
            await using (var update = s.Command("""
                UPDATE warning_instructions SET status = $2,
                    feedback = CASE WHEN $3 = 'feedback' THEN $4 ELSE feedback END,
                    return_reason = CASE WHEN $3 = 'reason' THEN $4 ELSE return_reason END,
                    done_at = CASE WHEN $2 = 'done' THEN now() ELSE done_at END,
                    verified_at = CASE WHEN $2 = 'verified' THEN now() ELSE verified_at END
                WHERE id = $1
                """, id, action.To, action.Text ?? "", text))
                await update.ExecuteNonQueryAsync(ct);
            await using (var ev = s.Command("""
                INSERT INTO warning_instruction_events (instruction_id, kind, from_status, to_status, actor_id, actor, note)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                """, id, action.Name, status, action.To, user.UserId, user.Name, string.IsNullOrWhiteSpace(text) ? null : text))
                await ev.ExecuteNonQueryAsync(ct);
            return await GetAsync(s, id, ct);
        }, ct);
    }

    sealed record PlaceRef(long Jurisdiction, string Path, string? Level, DateOnly? Month);

    public sealed record RaiseRequest(long? PlaceId, string? Task, DateTime? DueAt, double? Hours, string? Assignee, string? Holder);

    /// <summary>
    /// Raises an instruction by hand: a leader, a place in their scope, a task, a deadline (a time or hours from now), and
    /// the person (an account name) or the level of the tree to give it to (the place's officer by default).
    /// </summary>
    public async Task<InstructionView> RaiseAsync(CurrentUser user, RaiseRequest body, CancellationToken ct)
    {
        if (!InstructionVocabulary.Leaders.Contains(user.Role))
            throw new Refusal(403, $"role: only {string.Join(" or ", InstructionVocabulary.Leaders)} may raise an instruction by hand", "role");
        if (body.PlaceId is not { } placeId) throw Refusal.BadRequest("placeId", "is required");
        if (Problems.CheckText(body.Task, 500) is { } why) throw Refusal.BadRequest("task", why);
        var now = DateTime.UtcNow;
        DateTime due;
        if (body.DueAt is { } at) due = at.ToUniversalTime();
        else if (body.Hours is { } h && double.IsFinite(h)) due = now.AddHours(Math.Clamp(h, -1e6, 1e6));
        else throw Refusal.BadRequest("dueAt", "a deadline is required (dueAt, or hours from now)");
        if (due <= now || due > now.AddDays(90)) throw Refusal.BadRequest(body.DueAt is null ? "hours" : "dueAt", "the deadline must lie within the next 90 days");
        var holder = body.Holder ?? "community_officer";
        if (!InstructionVocabulary.Holders.Contains(holder))
            throw Refusal.BadRequest("holder", $"'{holder}' is not one of {string.Join(", ", InstructionVocabulary.Holders)}");
        if (body.Assignee is { } a && Problems.CheckText(a, 64) is { } bad) throw Refusal.BadRequest("assignee", bad);

        // The place as the caller sees it (row-level security): one outside their subtree is unknown to them.
        var place = await scoped.RunAsync(user, async s =>
        {
            await using var cmd = s.Command("""
                SELECT p.jurisdiction_id, p.jurisdiction_path::text, l.level, l.month FROM warning_places p
                LEFT JOIN LATERAL (SELECT level, month FROM warning_levels WHERE place_id = p.id ORDER BY month DESC LIMIT 1) l ON true
                WHERE p.id = $1
                """, placeId);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            return await r.ReadAsync(ct) ? new PlaceRef(r.GetInt64(0), r.GetString(1), r.Nullable<string>(2),
                r.IsDBNull(3) ? null : r.GetFieldValue<DateOnly>(3)) : null;
        }, ct) ?? throw Refusal.NotFound($"placeId: warning place {placeId} does not exist or is outside your jurisdiction");

        // Accounts are not readable by requests: resolved with GeoTwin's own login, then checked against the place.
        (long Id, string Name, string Holder) assignee;
        await using (var conn = await db.OpenConnectionAsync(ct))
        {
            if (body.Assignee is { } username)
            {
                await using var cmd = DbCommands.WithParameters(new NpgsqlCommand("""
                    SELECT u.id, u.display_name, u.role, j.kind, j.path @> $2::ltree OR j.path <@ $2::ltree
                    FROM users u JOIN jurisdictions j ON j.id = u.jurisdiction_id WHERE u.username = $1 AND NOT u.disabled
                    """, conn), [username, place.Path]);
                await using var r = await cmd.ExecuteReaderAsync(ct);
                if (!await r.ReadAsync(ct)) throw Refusal.Unprocessable($"assignee: no active account '{username}'", "assignee");
                if (r.GetString(2) == Roles.Resident || !r.GetBoolean(4))
                    throw Refusal.Unprocessable($"assignee: '{username}' is not police staff responsible for this place's jurisdiction", "assignee");
                var kind = r.GetString(3);
                assignee = (r.GetInt64(0), r.GetString(1), r.GetString(2) == Roles.CommunityOfficer ? "community_officer"
                    : kind is "station" or "responsibility_area" or "community" or "grid" ? "station_leader" : "sub_bureau");
            }
            else assignee = await HolderAsync(conn, null, place.Path, holder, ct)
                ?? throw Refusal.Unprocessable($"holder: nobody holds {holder} (or above) for this place: name an assignee", "holder");
        }

        return await scoped.RunAsync(user, async s =>
        {
            long id;
            await using (var cmd = s.Sql("Warnings/Instructions/insert_instruction.sql", placeId, place.Month, place.Level is "none" ? null : place.Level,
                null, body.Task!.Trim(), assignee.Id, assignee.Name, assignee.Holder, due, user.Name, place.Jurisdiction))
                id = (long)(await cmd.ExecuteScalarAsync(ct))!;
            await using (var ev = s.Sql("Warnings/Instructions/raised_event.sql", id, user.UserId, user.Name, $"→ {assignee.Name}"))
                await ev.ExecuteNonQueryAsync(ct);
            return await GetAsync(s, id, ct);
        }, ct);
    }

    /// <summary>Per station in the caller's view, the month starting <paramref name="month"/> on the bureau's clock.</summary>
    public Task<InstructionStats> StatsAsync(CurrentUser user, DateOnly month, string timeZone, CancellationToken ct) =>
        scoped.RunAsync(user, async s => new InstructionStats($"{month:yyyy-MM}", await s.Sql("Warnings/Instructions/stats.sql", month, timeZone)
            .ListAsync(r =>
            {
                var (issued, onTime, reported, verified) = (r.GetInt32(3), r.GetInt32(4), r.GetInt32(5), r.GetInt32(6));
                return new StationMonthStats(r.GetString(0), r.GetString(1), r.Nullable<string>(2), issued, onTime, reported, verified,
                    reported == 0 ? null : (double)verified / reported, issued == 0 ? null : (double)reported / issued,
                    r.GetInt32(7), r.GetInt32(8), r.GetInt32(9), r.GetInt32(10));
            }, ct)), ct);
}
