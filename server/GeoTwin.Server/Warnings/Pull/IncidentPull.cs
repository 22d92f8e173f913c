using System.Diagnostics;
using System.Text.Json;
using GeoTwin.DataImport.Reading;
using GeoTwin.Server.Infrastructure.Db;
using Npgsql;

namespace GeoTwin.Server.Warnings.Pull;

/// <summary>What one run did, as the run log keeps it.</summary>
public sealed class PullRun(string connector)
{
    public string Connector { get; } = connector;
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;
    public int Pages, Fetched, New, Duplicates, Skipped, LevelChanges;
    public List<(string Record, string Reason)> Reasons { get; } = [];
    public List<LevelChange> Changes { get; } = [];
    public string? Error { get; set; }
    public bool Ok => Error is null;

    public void Skip(string record, string reason)
    {
        Skipped++;
        if (Reasons.Count < 200) Reasons.Add((record, reason));
    }
}

/// <summary>Where the platform is and how to read it (GeoTwin:Warnings:Pull:*).</summary>
public sealed record PullSettings
{
    /// <summary>The platform's incident list; the cursor goes in the query as CursorParameter.</summary>
    public Uri? Url { get; init; }
    public string CursorParameter { get; init; } = "since";
    /// <summary>"Name: value", e.g. "Authorization: Bearer ..." (kept out of logs).</summary>
    public string? AuthHeader { get; init; }
    public string? DropFolder { get; init; }
    public required PullMapping Mapping { get; init; }
    public int MaxPagesPerRun { get; init; } = 100;
    public int Attempts { get; init; } = 4;
    public TimeSpan FirstBackoff { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// The pull: pages from the platform (HTTP with a cursor) or files from a drop folder become ordinary incidents, each
/// page in one transaction with its assignment to places, the recomputed levels and the cursor past it. A page that
/// fails (network, a 5xx after the retries, a body cut short, not the expected JSON) stores nothing and leaves the
/// cursor where it was; a record that cannot be read is skipped with its reason. Every run is logged.
/// </summary>
public sealed class IncidentPull(NpgsqlDataSource db, WarningLevels levels, ILogger<IncidentPull> log, Texts.WarningTexts? texts = null,
    Alerts.WarningAlerts? alerts = null)
{
    public const string Http = "http", Drop = "drop_folder";

    /// <summary>Pages from the stored cursor on, until the platform has nothing newer (or MaxPagesPerRun).</summary>
    public async Task<PullRun> RunHttpAsync(PullSettings settings, HttpClient http, CancellationToken ct)
    {
        var run = new PullRun(Http);
        var clock = Stopwatch.StartNew();
        try
        {
            var cursor = await CursorAsync(Http, ct);
            for (var page = 1; page <= settings.MaxPagesPerRun; page++)
            {
                var body = await FetchAsync(settings, http, cursor, ct);
                var (records, next) = ReadPage(body, settings.Mapping, $"page {run.Pages + 1}");
                run.Pages++;
                await StoreAsync(run, settings.Mapping, records, cursor, next ?? cursor, ct);
                if (records.Count == 0 || next is null || next == cursor) break;
                cursor = next;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            run.Error = e.Message;
            log.LogWarning(e, "warning pull ({Connector}) failed after {Pages} stored pages: {Message}", Http, run.Pages, e.Message);
        }
        await LogAsync(run, clock.Elapsed, ct);
        return run;
    }

    /// <summary>Every .json and .csv file in the folder, oldest name first: stored, then moved to done/ (unreadable: rejected/).</summary>
    public async Task<PullRun> RunDropFolderAsync(PullSettings settings, CancellationToken ct)
    {
        var run = new PullRun(Drop);
        var clock = Stopwatch.StartNew();
        var folder = settings.DropFolder!;
        try
        {
            var files = Directory.EnumerateFiles(folder)
                .Where(f => !Path.GetFileName(f).StartsWith('.') && (f.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)))
                .Order(StringComparer.Ordinal).ToList();
            foreach (var file in files)
            {
                var name = Path.GetFileName(file);
                List<(string Where, Func<string, string?>? Fields, string? Error)> records;
                try
                {
                    records = file.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? ReadCsv(file, settings.Mapping)
                        : ReadPage(await File.ReadAllTextAsync(file, ct), settings.Mapping, name).Records;
                }
                catch (Exception e) when (e is JsonException or InvalidDataException or FormatException or IOException or PageException)
                {
                    run.Skip(name, $"file not readable, moved to rejected/: {e.Message}");
                    MoveAside(file, "rejected");
                    continue;
                }
                run.Pages++;
                await StoreAsync(run, settings.Mapping, records, null, null, ct);
                // After the commit: a crash before the move takes the file again, and its numbers are duplicates then.
                MoveAside(file, "done");
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            run.Error = e.Message;
            log.LogWarning(e, "warning pull ({Connector}) failed: {Message}", Drop, e.Message);
        }
        await LogAsync(run, clock.Elapsed, ct);
        return run;
    }

    static void MoveAside(string file, string to)
    {
        var dir = Path.Combine(Path.GetDirectoryName(file)!, to);
        Directory.CreateDirectory(dir);
        var target = Path.Combine(dir, Path.GetFileName(file));
        if (File.Exists(target)) target = Path.Combine(dir, $"{Path.GetFileNameWithoutExtension(file)}.{DateTime.UtcNow:yyyyMMddHHmmssfff}{Path.GetExtension(file)}");
        File.Move(file, target);
    }

    sealed class PageException(string message) : Exception(message);

    static (List<(string Where, Func<string, string?>? Fields, string? Error)> Records, string? Next) ReadPage(string body, PullMapping mapping, string where)
    {
        using var doc = JsonDocument.Parse(body);
        var items = PullMapping.At(doc.RootElement, mapping.RecordsPath);
        if (items is not { ValueKind: JsonValueKind.Array } array)
            throw new PageException($"{where}: no array at '{mapping.RecordsPath}'");
        var next = PullMapping.At(doc.RootElement, mapping.NextPath) is { } n && n.ValueKind is JsonValueKind.String or JsonValueKind.Number
            ? (n.ValueKind == JsonValueKind.String ? n.GetString() : n.GetRawText()) : null;
        var records = array.EnumerateArray().Select((r, i) => ($"{where} #{i + 1}", (Func<string, string?>?)PullMapping.FieldsOf(r.Clone()),
            r.ValueKind == JsonValueKind.Object ? null : "not an object")).ToList();
        return (records, next);
    }

    static List<(string Where, Func<string, string?>? Fields, string? Error)> ReadCsv(string file, PullMapping mapping)
    {
        // The importer's CSV reader (encodings, quoting, row numbers); the platform's lon/lat columns make its point.
        using var reader = new CsvReader(file, new CsvColumns(Lon: mapping.Fields["lon"], Lat: mapping.Fields["lat"]));
        var name = Path.GetFileName(file);
        return [.. reader.Read().Select(r => ($"{name} row {r.Row}", (Func<string, string?>?)(f => r.Fields.GetValueOrDefault(f)), r.Error))];
    }

    async Task<string> FetchAsync(PullSettings settings, HttpClient http, string? cursor, CancellationToken ct)
    {
        var url = settings.Url!.ToString();
        if (cursor is not null) url += (url.Contains('?') ? "&" : "?") + Uri.EscapeDataString(settings.CursorParameter) + "=" + Uri.EscapeDataString(cursor);
        var delay = settings.FirstBackoff;
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (settings.AuthHeader is { } auth && auth.IndexOf(':') is var colon and > 0)
                request.Headers.TryAddWithoutValidation(auth[..colon].Trim(), auth[(colon + 1)..].Trim());
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(settings.Timeout);
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                var body = await response.Content.ReadAsStringAsync(timeout.Token);
                if ((int)response.StatusCode is >= 500 or 429)
                    throw new HttpRequestException($"the platform answered {(int)response.StatusCode} {response.ReasonPhrase}");
                if (!response.IsSuccessStatusCode)
                    throw new PageException($"the platform refused the request: {(int)response.StatusCode} {response.ReasonPhrase}");
                return body;
            }
            catch (Exception e) when (attempt < settings.Attempts && !ct.IsCancellationRequested && e is HttpRequestException or TaskCanceledException or IOException)
            {
                log.LogInformation("warning pull: attempt {Attempt} of {Url} failed ({Message}); again in {Delay}", attempt, settings.Url, e.Message, delay);
                await Task.Delay(delay, ct);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(60).Ticks));
            }
        }
    }

    async Task<string?> CursorAsync(string connector, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT cursor FROM warning_pull_cursors WHERE connector = $1");
        cmd.Parameters.Add(new() { Value = connector });
        return await cmd.ExecuteScalarAsync(ct) as string;
    }

    /// <summary>One page in one transaction: incidents, their places, the levels, and the cursor past the page.</summary>
    async Task StoreAsync(PullRun run, PullMapping mapping, List<(string Where, Func<string, string?>? Fields, string? Error)> records,
        string? fromCursor, string? nextCursor, CancellationToken ct)
    {
        var taken = new List<(string Where, PlatformIncident Incident)>();
        var numbers = new HashSet<string>(StringComparer.Ordinal);
        var (duplicates, skipped, reasons) = (0, 0, new List<(string, string)>());
        foreach (var (where, fields, error) in records)
        {
            var (incident, reason) = error is null && fields is not null ? mapping.Read(fields) : (null, error ?? "unreadable");
            if (incident is null) { skipped++; reasons.Add((where, reason!)); continue; }
            if (!numbers.Add(incident.Number)) { duplicates++; continue; }
            taken.Add((where, incident));
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        string? stored;
        await using (var lockCmd = Sql(conn, tx, "Warnings/Pull/lock_connector.sql", run.Connector))
        await using (var r = await lockCmd.ExecuteReaderAsync(ct))
        {
            await r.ReadAsync(ct);
            stored = r.IsDBNull(1) ? null : r.GetString(1);
        }
        if (fromCursor != stored && nextCursor is not null)
            throw new InvalidOperationException($"another run moved the cursor of {run.Connector} (from '{fromCursor}' to '{stored}'): this page is left to it");

        var ids = new List<long>();
        await using (var cmd = Sql(conn, tx, "Warnings/Pull/store_page.sql", run.Connector,
            taken.Select(t => t.Incident.Number).ToArray(), taken.Select(t => t.Incident.Category).ToArray(),
            taken.Select(t => t.Incident.Lon).ToArray(), taken.Select(t => t.Incident.Lat).ToArray(),
            taken.Select(t => t.Incident.ReceivedAt.UtcDateTime).ToArray(), taken.Select(t => t.Incident.Description).ToArray(),
            taken.Select(t => t.Incident.Priority).ToArray()))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
            {
                var n = (int)r.GetInt64(0) - 1;
                if (!r.IsDBNull(1)) ids.Add(r.GetInt64(1));
                else if (r.GetString(2) == "duplicate") duplicates++;
                else { skipped++; reasons.Add((taken[n].Where, $"({taken[n].Incident.Lon}, {taken[n].Incident.Lat}) is outside every police jurisdiction")); }
            }

        var months = new HashSet<DateOnly>(await levels.AssignAsync(conn, tx, [.. ids], ct)) { levels.CurrentMonth() };
        var changes = await levels.RecomputeAsync(conn, tx, months, ct);
        // The outbox rows commit with the level change or not at all.
        if (texts is not null) await texts.EnqueueAsync(conn, tx, changes, levels.CurrentMonth(), ct);
        // So are the alerts; they are pushed to the viewers once committed.
        var raised = alerts is null ? [] : await Alerts.WarningAlerts.RecordAsync(conn, tx, changes, levels.CurrentMonth(), ct);
        if (nextCursor is not null)
            await using (var move = Sql(conn, tx, "Warnings/Pull/move_cursor.sql", run.Connector, nextCursor))
                await move.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        if (alerts is not null) await alerts.PublishAsync(raised);

        run.Fetched += records.Count;
        run.New += ids.Count;
        run.Duplicates += duplicates;
        foreach (var (where, reason) in reasons) run.Skip(where, reason);
        run.LevelChanges += changes.Count;
        run.Changes.AddRange(changes);
    }

    async Task LogAsync(PullRun run, TimeSpan took, CancellationToken ct)
    {
        var reasons = JsonSerializer.Serialize(run.Reasons.Select(r => new { record = r.Record, reason = r.Reason }));
        try
        {
            await using var conn = await db.OpenConnectionAsync(CancellationToken.None);
            await using var cmd = Sql(conn, null, "Warnings/Pull/log_run.sql", run.Connector, run.StartedAt.UtcDateTime, run.Ok, run.Pages, run.Fetched,
                run.New, run.Duplicates, run.Skipped, reasons, run.LevelChanges, run.Error, (int)Math.Min(int.MaxValue, took.TotalMilliseconds));
            await cmd.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            log.LogWarning(e, "warning pull: the run log of {Connector} could not be written", run.Connector);
        }
        log.LogInformation("warning pull ({Connector}): {Pages} pages, {Fetched} fetched, {New} new, {Duplicates} duplicates, {Skipped} skipped, {Changes} level changes in {Ms} ms{Error}",
            run.Connector, run.Pages, run.Fetched, run.New, run.Duplicates, run.Skipped, run.LevelChanges, (int)took.TotalMilliseconds, run.Error is null ? "" : " FAILED: " + run.Error);
    }

    static NpgsqlCommand Sql(NpgsqlConnection conn, NpgsqlTransaction? tx, string file, params object?[] args) =>
        DbCommands.WithParameters(new NpgsqlCommand(EmbeddedSql.Get(file), conn, tx), args);
}
