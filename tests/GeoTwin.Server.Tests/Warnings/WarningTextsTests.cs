using System.Collections.Concurrent;
using System.Text.Json;
using GeoTwin.Server.Warnings;
using GeoTwin.Server.Warnings.Texts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace GeoTwin.Server.Tests.Warnings;

/// <summary>
/// The outbox of texts against a real HTTP server playing the SMS gateway, which fails with 500, hangs, and takes a
/// text just as the sender stops: every text reaches each phone exactly once (the gateway's duplicate check on the
/// message id, as SMS platforms keep one), none is lost, and at most one text is written per place, month and warning.
/// </summary>
[Collection("postgis")]
public sealed class WarningTextsTests(PostgisFixture pg) : IAsyncLifetime
{
    WebApplication _gateway = null!;
    // What reached the phones: message id -> times delivered. A second arrival of an id is answered but not delivered.
    readonly ConcurrentDictionary<string, int> _delivered = new();
    readonly ConcurrentDictionary<string, int> _arrivals = new();
    Func<string, HttpContext, Task<bool>>? _misbehave; // returns true when it answered itself

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _gateway = builder.Build();
        _gateway.MapPost("/sms/send", async (HttpContext http) =>
        {
            if (http.Request.Headers["X-Api-Key"] != "gw-key") { http.Response.StatusCode = 401; return; }
            using var doc = await JsonDocument.ParseAsync(http.Request.Body);
            var id = doc.RootElement.GetProperty("msgid").GetString()!;
            Assert.StartsWith("+", doc.RootElement.GetProperty("mobile").GetString());
            Assert.Contains("四色预警", doc.RootElement.GetProperty("content").GetString());
            var arrival = _arrivals.AddOrUpdate(id, 1, (_, n) => n + 1);
            if (_misbehave is { } m && await m($"{id}#{arrival}", http)) return;
            _delivered.AddOrUpdate(id, 1, (_, n) => n); // the duplicate check: delivered once whatever arrives after
            await http.Response.WriteAsJsonAsync(new { code = 0 });
        });
        await _gateway.StartAsync();
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    SmsGateway Gateway => new()
    {
        Url = new Uri(_gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/sms/send"),
        AuthHeader = "X-Api-Key: gw-key", Timeout = TimeSpan.FromSeconds(1), FirstBackoff = TimeSpan.Zero, MaxAttempts = 5,
    };

    static readonly WarningLevels Levels = new(new WarningOptions(timeZone: "UTC"));

    /// <summary>n incidents now in the compound C1, pulled as the job does: levels, then texts, in one transaction.</summary>
    static async Task AddAsync(NpgsqlDataSource db, WarningTexts texts, string prefix, int n)
    {
        var ids = new List<long>();
        for (var i = 0; i < n; i++)
            ids.Add(await db.ScalarAsync<long>("""
                INSERT INTO incidents (code, category, location, received_at, jurisdiction_id, source)
                SELECT $1, 'theft', ST_SetSRID(ST_MakePoint(7.408, 43.728), 4326), now(), id, 'call_platform' FROM jurisdictions WHERE code = 'T-ST1-A'
                RETURNING id
                """, $"{prefix}-{i}"));
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var changes = await Levels.RecomputeAsync(conn, tx, await Levels.AssignAsync(conn, tx, [.. ids], default), default);
        await texts.EnqueueAsync(conn, tx, changes, Levels.CurrentMonth(), default);
        await tx.CommitAsync();
    }

    [Fact]
    public async Task Every_text_reaches_each_phone_once_through_failures_hangs_and_a_stop_mid_delivery()
    {
        await using var db = await WarningLevelsTests.SeededAsync(pg);
        await db.ExecAsync("INSERT INTO warning_place_people (place_id, role, full_name, phone) SELECT id, 'property_manager', '物业（演示）', '+999 555 0001' FROM warning_places WHERE code = 'C1'");
        var texts = new WarningTexts(db, NullLogger<WarningTexts>.Instance);
        using var http = new HttpClient();

        // 3 incidents: orange, one short of red -> 1 warning x 2 phones; then 1 more: red -> 2 more texts.
        await AddAsync(db, texts, "T1", 3);
        await AddAsync(db, texts, "T2", 1);
        // Recomputing again writes nothing new: at most one text per place, month, warning and phone.
        await using (var conn = await db.OpenConnectionAsync())
        await using (var tx = await conn.BeginTransactionAsync())
        {
            var again = await Levels.RecomputeAsync(conn, tx, [Levels.CurrentMonth()], default);
            Assert.Empty(again);
            Assert.Equal(0, await texts.EnqueueAsync(conn, tx, [new LevelChange(0, Levels.CurrentMonth(), "x", "x", 0, false, false)], Levels.CurrentMonth(), default));
        }
        Assert.Equal("one_short_of_red:2,red:2", await db.ScalarAsync<string>("SELECT string_agg(warning || ':' || n, ',' ORDER BY warning) FROM (SELECT warning, count(*) n FROM warning_texts GROUP BY warning) x"));

        // The first text meets a 500, the second a gateway that never answers; both are sent on their next attempt.
        var ids = (await db.ScalarAsync<string>("SELECT string_agg(id::text, ',' ORDER BY id) FROM warning_texts")).Split(',');
        _misbehave = async (arrival, http) =>
        {
            if (arrival == $"{ids[0]}#1") { http.Response.StatusCode = 500; return true; }
            if (arrival == $"{ids[1]}#1") { await Task.Delay(Timeout.Infinite, http.RequestAborted).ContinueWith(_ => { }); return true; }
            return false;
        };
        while (await db.ScalarAsync<long>("SELECT count(*) FROM warning_texts WHERE status = 'pending'") > 0)
            await texts.DeliverDueAsync(Gateway, http, default);

        Assert.Equal(ids.Order(), _delivered.Keys.Order());
        Assert.All(_delivered.Values, n => Assert.Equal(1, n));
        // The 500 and the hang cost one attempt each; the rest went at the first.
        Assert.Equal("sent 2,sent 2,sent 1,sent 1", await db.ScalarAsync<string>("SELECT string_agg(status || ' ' || attempts, ',' ORDER BY id) FROM warning_texts"));

        // Two more incidents: black (2 texts). The gateway takes the first, and GeoTwin stops before the answer comes.
        await AddAsync(db, texts, "T3", 2);
        var taken = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _misbehave = async (arrival, http) =>
        {
            if (!arrival.EndsWith("#1", StringComparison.Ordinal) || taken.Task.IsCompleted) return false;
            _delivered.TryAdd(arrival.Split('#')[0], 1); // it reached the phone...
            taken.TrySetResult(arrival.Split('#')[0]);
            await Task.Delay(Timeout.Infinite, http.RequestAborted).ContinueWith(_ => { }); // ...but the answer never left
            return true;
        };
        using var stop = new CancellationTokenSource();
        var first = texts.DeliverDueAsync(Gateway with { Timeout = TimeSpan.FromMinutes(5) }, http, stop.Token);
        var held = await taken.Task;
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.Equal("pending", await db.ScalarAsync<string>("SELECT status FROM warning_texts WHERE id = $1", long.Parse(held)));

        // A new sender (as after a restart) sends it again with the same message id; the phone gets it once.
        _misbehave = null;
        var restarted = new WarningTexts(db, NullLogger<WarningTexts>.Instance);
        while (await db.ScalarAsync<long>("SELECT count(*) FROM warning_texts WHERE status = 'pending'") > 0)
            await restarted.DeliverDueAsync(Gateway, http, default);

        var all = (await db.ScalarAsync<string>("SELECT string_agg(id::text, ',' ORDER BY id) FROM warning_texts")).Split(',');
        Assert.Equal(6, all.Length);
        Assert.Equal(all.Order(), _delivered.Keys.Order());
        Assert.All(_delivered.Values, n => Assert.Equal(1, n));
        Assert.Equal(2, _arrivals[held]);
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM warning_texts WHERE status <> 'sent'"));
    }
}
