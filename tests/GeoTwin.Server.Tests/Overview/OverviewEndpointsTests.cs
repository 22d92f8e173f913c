using System.Net;
using System.Text.Json;
using GeoTwin.DataImport.Demo;
using GeoTwin.Server.Live;
using GeoTwin.Server.Tests.Live;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace GeoTwin.Server.Tests.Overview;

/// <summary>The overview's counts against the database: open by priority and status, overdue, intake against last week, units, scope.</summary>
[Collection("postgis")]
public sealed class OverviewEndpointsTests(PostgisFixture pg)
{
    static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    static async Task<long> Count(NpgsqlDataSource db, string sql, params object[] args)
    {
        await using var cmd = db.CreateCommand(sql);
        foreach (var a in args) cmd.Parameters.AddWithValue(a);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    /// <summary>An incident written straight into the table with the times a test needs (the intake API always says "now").</summary>
    static async Task InsertAsync(NpgsqlDataSource db, string station, int priority, string status, string receivedAgo, string? dispatchedAgo = null)
    {
        await using var cmd = db.CreateCommand($"""
            INSERT INTO incidents (code, category, priority, status, location, source, jurisdiction_id, jurisdiction_path, received_at, first_dispatch_at)
            SELECT 'OV' || lpad(floor(random() * 1e9)::text, 9, '0'), 'theft', $1, $2, ST_PointOnSurface(j.boundary), 'manual', j.id, j.path,
                   now() - $3::interval, now() - $4::interval
            FROM jurisdictions j WHERE j.code = $5
            """);
        cmd.Parameters.AddWithValue((short)priority);
        cmd.Parameters.AddWithValue(status);
        cmd.Parameters.AddWithValue(receivedAgo);
        cmd.Parameters.AddWithValue((object?)dispatchedAgo ?? DBNull.Value);
        cmd.Parameters.AddWithValue(station);
        Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
    }

    static int Open(JsonElement o, int priority, string status, string field = "count") =>
        o.GetProperty("open").EnumerateArray().Where(g => g.GetProperty("priority").GetInt32() == priority && g.GetProperty("status").GetString() == status)
            .Sum(g => g.GetProperty(field).GetInt32());

    static int Intake(JsonElement o, string field) => o.GetProperty("intake").GetProperty(field).GetInt32();

    [Fact]
    public async Task Counts_match_the_database_and_follow_new_incidents_and_the_callers_scope()
    {
        await using var server = await pg.StartServerAsync(new() { ["GeoTwin:Freshness:OfflineSeconds"] = "86400" });
        var db = server.Database.DataSource;
        await DemoJurisdiction.LoadIfEmptyAsync(db);
        await server.App.Services.GetRequiredService<LiveSync>().RefreshAsync(default);
        var root = await db.ScalarAsync<string>("SELECT code FROM jurisdictions WHERE parent_id IS NULL");
        var station = await db.ScalarAsync<string>("SELECT code FROM jurisdictions WHERE kind = 'station' ORDER BY code LIMIT 1");
        var stationPath = await db.ScalarAsync<string>("SELECT path::text FROM jurisdictions WHERE code = $1", station);
        var dispatcher = await Browser.SignedInAsync(server, "ov-disp", "dispatcher", root);
        var local = await Browser.SignedInAsync(server, "ov-local", "dispatcher", station);

        var before = await Json(await dispatcher.GetAsync("/api/overview"));
        // every open incident is counted once, in its priority and status
        Assert.Equal(await Count(db, "SELECT count(*) FROM incidents WHERE status IN ('new', 'dispatched', 'on_scene')"), before.GetProperty("openTotal").GetInt32());
        foreach (var p in new[] { 1, 2, 3, 4 })
            foreach (var s in new[] { "new", "dispatched", "on_scene" })
                Assert.Equal(await Count(db, "SELECT count(*) FROM incidents WHERE priority = $1 AND status = $2", (short)p, s), Open(before, p, s));
        // units: every unit the caller may see, once
        Assert.Equal(await Count(db, "SELECT count(*) FROM police_units"), before.GetProperty("units").EnumerateArray().Sum(u => u.GetProperty("count").GetInt32()));

        // A P1 left "new" for 4 minutes is overdue (dispatch target 3); a P1 dispatched at once 2 minutes ago is not yet;
        // a P3 left new for 4 minutes is not (target 15); one received 7 days and a minute ago counts for last week.
        await InsertAsync(db, station, 1, "new", "4 minutes");
        await InsertAsync(db, station, 1, "dispatched", "2 minutes", "1 minute");
        await InsertAsync(db, station, 3, "new", "4 minutes");
        await InsertAsync(db, station, 2, "closed", "7 days 1 minute");
        var after = await Json(await dispatcher.GetAsync("/api/overview"));
        Assert.Equal(Open(before, 1, "new") + 1, Open(after, 1, "new"));
        Assert.Equal(Open(before, 1, "new", "overdue") + 1, Open(after, 1, "new", "overdue"));
        Assert.Equal(Open(before, 1, "dispatched") + 1, Open(after, 1, "dispatched"));
        Assert.Equal(Open(before, 1, "dispatched", "overdue"), Open(after, 1, "dispatched", "overdue"));
        Assert.Equal(Open(before, 3, "new", "overdue"), Open(after, 3, "new", "overdue"));
        Assert.Equal(before.GetProperty("overdueTotal").GetInt32() + 1, after.GetProperty("overdueTotal").GetInt32());
        // Three came in today (unless the bureau's midnight fell in the last 4 minutes), and this week likewise.
        var zone = after.GetProperty("timeZone").GetString()!;
        var sinceMidnight = await db.ScalarAsync<double>("SELECT extract(epoch FROM (now() AT TIME ZONE $1) - date_trunc('day', now() AT TIME ZONE $1))", zone);
        if (sinceMidnight > 300)
        {
            Assert.Equal(Intake(before, "today") + 3, Intake(after, "today"));
            Assert.Equal(Intake(before, "thisWeek") + 3, Intake(after, "thisWeek"));
            Assert.Equal(Intake(before, "sameDayLastWeek") + 1, Intake(after, "sameDayLastWeek"));
            Assert.Equal(Intake(before, "sameSpanLastWeek") + 1, Intake(after, "sameSpanLastWeek"));
        }
        // today's count is the database's count since the bureau's midnight
        Assert.Equal(await Count(db, "SELECT count(*) FROM incidents WHERE status <> 'merged' AND received_at >= date_trunc('day', now() AT TIME ZONE $1) AT TIME ZONE $1", zone),
            Intake(after, "today"));

        // a station's dispatcher sees the station's incidents and units only
        var scoped = await Json(await local.GetAsync("/api/overview"));
        Assert.Equal(await Count(db, "SELECT count(*) FROM incidents WHERE status IN ('new', 'dispatched', 'on_scene') AND jurisdiction_path <@ $1::text::ltree", stationPath),
            scoped.GetProperty("openTotal").GetInt32());
        Assert.Equal(await Count(db, "SELECT count(*) FROM police_units u JOIN jurisdictions j ON j.id = u.jurisdiction_id WHERE j.path <@ $1::text::ltree", stationPath),
            scoped.GetProperty("units").EnumerateArray().Sum(u => u.GetProperty("count").GetInt32()));
        Assert.True(scoped.GetProperty("openTotal").GetInt32() < after.GetProperty("openTotal").GetInt32() || after.GetProperty("openTotal").GetInt32() == 3);

        // no session, no overview
        Assert.Equal(HttpStatusCode.Unauthorized, (await Browser.Anonymous(server).GetAsync("/api/overview")).StatusCode);
    }
}
