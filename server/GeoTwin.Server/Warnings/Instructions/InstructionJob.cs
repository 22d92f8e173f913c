using GeoTwin.Server.Infrastructure.Db;
using Hangfire;
using Npgsql;

namespace GeoTwin.Server.Warnings.Instructions;

/// <summary>How the instruction job has been going, for /readyz (a failing job is said there; the server stays ready).</summary>
public sealed class InstructionHealth
{
    readonly Lock _gate = new();
    DateTimeOffset? _lastOk, _failingSince;
    int _failures;
    string? _error;
    InstructionRunResult? _last;

    public void Ok(InstructionRunResult result)
    {
        lock (_gate) { _lastOk = DateTimeOffset.UtcNow; _failures = 0; _failingSince = null; _error = null; _last = result; }
    }

    public void Failed(Exception e)
    {
        lock (_gate) { _failures++; _failingSince ??= DateTimeOffset.UtcNow; _error = e.Message; }
    }

    public string Describe()
    {
        lock (_gate)
        {
            if (_failures > 0) return $"failing since {_failingSince:u} ({_failures} runs in a row): {_error}";
            return _lastOk is { } ok
                ? $"ok (last run {ok:u}: {_last!.Raised} raised, {_last.Flagged} newly overdue, {_last.Escalated} escalated)"
                : "waiting for its first run";
        }
    }
}

public sealed record InstructionRunResult(int Raised, int Flagged, int Escalated);

/// <summary>
/// The recurring job (every minute by default): raises the rules' instructions from the level changes since its cursor,
/// flags instructions whose deadline passed, and moves each overdue one up the tree (community officer, station
/// leader, sub-bureau). Each step commits on its own, so a failure in one leaves the others' work; Hangfire retries a
/// failed run with back-off and the health part says it is failing meanwhile.
/// </summary>
public sealed class InstructionJob(NpgsqlDataSource db, InstructionOptions options, WarningLevels levels, InstructionHealth health,
    ILogger<InstructionJob> log)
{
    public const string RecurringId = "warnings-instructions";

    [DisableConcurrentExecution(timeoutInSeconds: 300)]
    [AutomaticRetry(Attempts = 3, DelaysInSeconds = [10, 60, 300])]
    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            var result = await RunOnceAsync(DateTime.UtcNow, ct);
            health.Ok(result);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            health.Failed(e);
            log.LogError(e, "instructions job failed (retried with back-off)");
            throw;
        }
    }

    /// <summary>One pass at <paramref name="now"/> (tests pass the time; the deadline is what they move, not the clock).</summary>
    public async Task<InstructionRunResult> RunOnceAsync(DateTime now, CancellationToken ct)
    {
        var raised = await RaiseByRulesAsync(ct);
        var (flagged, escalated) = await EscalateAsync(now, ct);
        return new InstructionRunResult(raised, flagged, escalated);
    }

    /// <summary>
    /// The level changes of this month after the cursor: every rule whose level the change climbed to or past raises its
    /// instruction (once per place and month), to its holder at the place (or the next level up with somebody).
    /// </summary>
    public async Task<int> RaiseByRulesAsync(CancellationToken ct)
    {
        var order = Vocabulary.Warnings.Levels.ToList();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        long cursor;
        await using (var c = new NpgsqlCommand("SELECT last_change FROM warning_instruction_rule_cursor FOR UPDATE", conn, tx))
            cursor = (long)(await c.ExecuteScalarAsync(ct))!;
        // Up to the newest change now; changes of past months move the cursor too (a rule acts on this month's warnings).
        long upTo;
        await using (var last = new NpgsqlCommand("SELECT coalesce(max(id), $1) FROM warning_level_changes", conn, tx) { Parameters = { new() { Value = cursor } } })
            upTo = (long)(await last.ExecuteScalarAsync(ct))!;
        var changes = new List<(long Id, long Place, DateOnly Month, string From, string To, long Jurisdiction, string Path)>();
        await using (var cmd = Cmd(conn, tx, "new_changes.sql", cursor, levels.CurrentMonth(), upTo))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                changes.Add((r.GetInt64(0), r.GetInt64(1), r.GetFieldValue<DateOnly>(2), r.GetString(3), r.GetString(4), r.GetInt64(5), r.GetString(6)));
        cursor = upTo;
        var raised = 0;
        foreach (var change in changes)
            foreach (var rule in options.Rules.Where(r => order.IndexOf(change.From) < order.IndexOf(r.Level) && order.IndexOf(r.Level) <= order.IndexOf(change.To)))
            {
                if (await InstructionStore.HolderAsync(conn, tx, change.Path, rule.Holder, ct) is not { } holder)
                {
                    log.LogWarning("rule {Rule}: nobody holds {Holder} or above for place {Place}; no instruction raised", rule.Name, rule.Holder, change.Place);
                    continue;
                }
                object? id;
                await using (var insert = Cmd(conn, tx, "insert_instruction.sql", change.Place, change.Month, rule.Level, rule.Name, rule.Task,
                    holder.Id, holder.Name, holder.Holder, DateTime.UtcNow + rule.Within, "GeoTwin", change.Jurisdiction))
                    id = await insert.ExecuteScalarAsync(ct);
                if (id is not long newId) continue; // raised by an earlier change this month
                await using (var ev = Cmd(conn, tx, "raised_event.sql", newId, null, $"GeoTwin ({rule.Name})", $"→ {holder.Name}"))
                    await ev.ExecuteNonQueryAsync(ct);
                raised++;
            }
        await using (var move = new NpgsqlCommand("UPDATE warning_instruction_rule_cursor SET last_change = $1", conn, tx) { Parameters = { new() { Value = cursor } } })
            await move.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return raised;
    }

    /// <summary>Flags newly overdue instructions and escalates each overdue one that waited long enough at its level.</summary>
    public async Task<(int Flagged, int Escalated)> EscalateAsync(DateTime now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        int flagged;
        await using (var f = Cmd(conn, tx, "flag_overdue.sql", now)) flagged = (int)(await f.ExecuteScalarAsync(ct))!;
        var due = new List<(long Id, string Holder, string Name, string Path)>();
        await using (var cmd = Cmd(conn, tx, "due_escalations.sql", now, options.EscalateEvery))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) due.Add((r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(4)));
        var escalated = 0;
        foreach (var i in due)
        {
            if (InstructionVocabulary.Above(i.Holder) is not { } up) continue;
            if (await InstructionStore.HolderAsync(conn, tx, i.Path, up, ct) is not { } next)
            {
                log.LogWarning("instruction {Id}: nobody holds {Holder} or above; it stays with {Name}", i.Id, up, i.Name);
                continue;
            }
            await using var move = Cmd(conn, tx, "escalate.sql", i.Id, next.Holder, next.Id, next.Name, now,
                $"{i.Holder} {i.Name} → {next.Holder} {next.Name}");
            await move.ExecuteNonQueryAsync(ct);
            escalated++;
        }
        await tx.CommitAsync(ct);
        if (flagged + escalated > 0) log.LogInformation("instructions: {Flagged} newly overdue, {Escalated} escalated", flagged, escalated);
        return (flagged, escalated);
    }

    static NpgsqlCommand Cmd(NpgsqlConnection conn, NpgsqlTransaction tx, string file, params object?[] args) =>
        DbCommands.WithParameters(new NpgsqlCommand(EmbeddedSql.Get($"Warnings/Instructions/{file}"), conn, tx), args);

    /// <summary>Every EveryMinutes as a Hangfire recurring job, and once at start (the demo's warnings get their instructions now).</summary>
    public sealed class Schedule(IRecurringJobManager jobs, IBackgroundJobClient once, InstructionOptions options) : IHostedService
    {
        public Task StartAsync(CancellationToken ct)
        {
            jobs.AddOrUpdate<InstructionJob>(RecurringId, j => j.RunAsync(CancellationToken.None), $"*/{options.EveryMinutes} * * * *");
            once.Enqueue<InstructionJob>(j => j.RunAsync(CancellationToken.None));
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
    }
}
