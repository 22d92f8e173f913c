using System.Text;
using System.Text.Json;
using GeoTwin.Server.Infrastructure.Db;
using Npgsql;

namespace GeoTwin.Server.Warnings.Texts;

/// <summary>The SMS gateway as bureaus run it: an HTTP call (GeoTwin:Warnings:Texts:*).</summary>
public sealed record SmsGateway
{
    public required Uri Url { get; init; }
    public string Method { get; init; } = "POST";
    /// <summary>{id} (the message id, for the gateway's duplicate check), {phone}, {text}; escaped for the content type.</summary>
    public string BodyTemplate { get; init; } = """{"msgid":"{id}","mobile":"{phone}","content":"{text}"}""";
    public string ContentType { get; init; } = "application/json";
    public string? AuthHeader { get; init; }
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(15);
    public int MaxAttempts { get; init; } = 12;
    public TimeSpan FirstBackoff { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// The outbox of warning texts. <see cref="EnqueueAsync"/> writes them in the transaction that changed the levels;
/// <see cref="DeliverDueAsync"/> sends each due text in a transaction holding its row, so a sender that stops mid-call
/// leaves it due (sent again with the same message id) and two senders never send the same text at once.
/// </summary>
public sealed class WarningTexts(NpgsqlDataSource db, ILogger<WarningTexts> log, TextsHealth? health = null)
{
    /// <summary>The warnings of this month's changes (entered red or black; became one short of the next colour).</summary>
    public static IEnumerable<(LevelChange Change, string Warning)> WarningsOf(IEnumerable<LevelChange> changes, DateOnly month)
    {
        var levels = Vocabulary.Warnings.Levels.ToList();
        foreach (var c in changes.Where(c => c.Month == month))
        {
            if (c.To != c.From && c.To is "red" or "black" && levels.IndexOf(c.To) > levels.IndexOf(c.From)) yield return (c, c.To);
            if (c.NearNext && !c.WasNearNext && levels.IndexOf(c.To) + 1 < levels.Count) yield return (c, "one_short_of_" + levels[levels.IndexOf(c.To) + 1]);
        }
    }

    public async Task<int> EnqueueAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IEnumerable<LevelChange> changes, DateOnly month, CancellationToken ct)
    {
        var warnings = WarningsOf(changes, month).ToList();
        if (warnings.Count == 0) return 0;
        var names = new Dictionary<long, string>();
        await using (var cmd = new NpgsqlCommand("SELECT id, name FROM warning_places WHERE id = ANY ($1)", conn, tx))
        {
            cmd.Parameters.Add(new() { Value = warnings.Select(w => w.Change.PlaceId).Distinct().ToArray() });
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) names[r.GetInt64(0)] = r.GetString(1);
        }
        await using var insert = DbCommands.WithParameters(new NpgsqlCommand(EmbeddedSql.Get("Warnings/Texts/enqueue_texts.sql"), conn, tx),
        [
            warnings.Select(w => w.Change.PlaceId).ToArray(), warnings.Select(w => w.Change.Month).ToArray(),
            warnings.Select(w => w.Warning).ToArray(), warnings.Select(w => Body(names[w.Change.PlaceId], w.Change, w.Warning)).ToArray(),
        ]);
        return await insert.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The text officers read (zh-CN: the responsible people's language), labels from the vocabulary.</summary>
    static string Body(string place, LevelChange c, string warning)
    {
        var levels = Vocabulary.Warnings.Levels;
        var text = warning.StartsWith("one_short_of_", StringComparison.Ordinal)
            ? $"【四色预警】{place} {c.Month.Year}年{c.Month.Month}月两抢一盗{c.Count}起（{levels.LabelOf(c.To).Zh}），再发1起将升为{levels.LabelOf(warning["one_short_of_".Length..]).Zh}，请加强防范。"
            : $"【四色预警】{place} {c.Month.Year}年{c.Month.Month}月两抢一盗{c.Count}起，已达{levels.LabelOf(warning).Zh}，请立即落实整改。";
        return text.Length <= 500 ? text : text[..500];
    }

    /// <summary>Sends every due text once (failures wait their back-off); returns how many were sent.</summary>
    public async Task<int> DeliverDueAsync(SmsGateway gateway, HttpClient http, CancellationToken ct)
    {
        var sent = 0;
        while (!ct.IsCancellationRequested)
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            long id; string phone, body; int attempts;
            await using (var next = new NpgsqlCommand(EmbeddedSql.Get("Warnings/Texts/next_due_text.sql"), conn, tx))
            await using (var r = await next.ExecuteReaderAsync(ct))
            {
                if (!await r.ReadAsync(ct))
                {
                    await r.CloseAsync();
                    await ReportAsync(conn, tx, ct);
                    break;
                }
                (id, phone, body, attempts) = (r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt32(3));
            }
            string? error = null;
            try { await SendAsync(gateway, http, id, phone, body, ct); }
            catch (Exception e) when (!ct.IsCancellationRequested && e is HttpRequestException or TaskCanceledException or IOException)
            {
                error = e is TaskCanceledException ? $"no answer within {gateway.Timeout.TotalSeconds:0} s" : e.Message;
                log.LogWarning("warning text {Id}: attempt {Attempt} failed: {Error}", id, attempts + 1, error);
            }
            var backoff = Math.Min(gateway.FirstBackoff.TotalSeconds * Math.Pow(2, attempts), 3600);
            await using (var result = DbCommands.WithParameters(new NpgsqlCommand(EmbeddedSql.Get("Warnings/Texts/text_result.sql"), conn, tx),
                [id, error is null, error, error is null ? 0.0 : backoff, gateway.MaxAttempts]))
                await result.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
            if (error is null) sent++;
            health?.Attempted(error);
        }
        return sent;
    }

    /// <summary>What is left after a run (waiting, given up), for /readyz.</summary>
    async Task ReportAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct)
    {
        if (health is null) return;
        await using var cmd = new NpgsqlCommand(
            "SELECT count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE status = 'failed') FROM warning_texts", conn, tx);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        health.Finished(r.GetInt64(0), r.GetInt64(1));
    }

    static async Task SendAsync(SmsGateway gateway, HttpClient http, long id, string phone, string body, CancellationToken ct)
    {
        var json = gateway.ContentType.Contains("json", StringComparison.OrdinalIgnoreCase);
        var form = gateway.ContentType.Contains("x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
        string Escape(string v) => json ? JsonEncodedText.Encode(v, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString()
            : form ? Uri.EscapeDataString(v) : v;
        var content = gateway.BodyTemplate.Replace("{id}", Escape(id.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .Replace("{phone}", Escape(phone)).Replace("{text}", Escape(body));
        using var request = new HttpRequestMessage(new HttpMethod(gateway.Method), gateway.Url)
        {
            Content = new StringContent(content, Encoding.UTF8, gateway.ContentType),
        };
        if (gateway.AuthHeader is { } auth && auth.IndexOf(':') is var colon and > 0)
            request.Headers.TryAddWithoutValidation(auth[..colon].Trim(), auth[(colon + 1)..].Trim());
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(gateway.Timeout);
        using var response = await http.SendAsync(request, timeout.Token);
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"the gateway answered {(int)response.StatusCode} {response.ReasonPhrase}");
    }
}
