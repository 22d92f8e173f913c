using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GeoTwin.Server.Warnings;
using GeoTwin.Server.Warnings.Instructions;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace GeoTwin.Server.Tests.Warnings;

/// <summary>
/// Instructions over HTTP on a real server and database: raised by rule from a place entering red, moved through every
/// status by the people the vocabulary names, refused clearly otherwise; raised by hand; scoped to the station; overdue
/// ones flagged and escalated up the tree by the job (the deadline is moved into the past, the clock is not waited for).
/// </summary>
[Collection("postgis")]
public sealed class InstructionsTests(PostgisFixture pg)
{
    sealed record World(GeoTwinServer Server, HttpClient Officer, HttpClient Leader, HttpClient Bureau, HttpClient Officer2, HttpClient Leader2)
    {
        public NpgsqlDataSource Db => Server.Database.DataSource;
        public InstructionJob Job => Server.App.Services.GetRequiredService<InstructionJob>();
    }

    async Task<World> StartAsync()
    {
        var server = await pg.StartServerAsync();
        var db = server.Database.DataSource;
        await TwoStations.SeedAsync(db);
        await db.ExecAsync(WarningLevelsTests.Places);
        return new World(server,
            await Browser.SignedInAsync(server, "off1", "community_officer", TwoStations.Area1),
            await Browser.SignedInAsync(server, "lead1", "commander", TwoStations.Station1),
            await Browser.SignedInAsync(server, "bureau", "commander", TwoStations.City),
            await Browser.SignedInAsync(server, "off2", "community_officer", TwoStations.Station2),
            await Browser.SignedInAsync(server, "lead2", "commander", TwoStations.Station2));
    }

    /// <summary>Four thefts in compound C1 this month: it enters red (the pull's own assignment and recompute).</summary>
    static async Task TurnC1RedAsync(World w)
    {
        for (var n = 0; n < 4; n++)
            await w.Db.ExecAsync("""
                INSERT INTO incidents (code, category, location, received_at, jurisdiction_id, source)
                SELECT $1, 'theft', ST_SetSRID(ST_MakePoint(7.408, 43.728), 4326), now(), id, 'call_platform' FROM jurisdictions WHERE code = 'T-ST1-A'
                """, $"RED-{n}");
        await w.Server.App.Services.GetRequiredService<WarningLevels>().CatchUpAsync(w.Db);
    }

    static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        if (expected >= HttpStatusCode.BadRequest) Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement;
    }

    static Task<HttpResponseMessage> Act(HttpClient who, long id, string action, string? text = null) =>
        who.PostAsJsonAsync($"/api/warnings/instructions/{id}/{action}", new { text });

    static string[] Actions(JsonElement i) => [.. i.GetProperty("actions").EnumerateArray().Select(a => a.GetString()!)];

    [Fact]
    public async Task A_place_entering_red_raises_its_instruction_which_moves_through_every_status_by_the_right_people()
    {
        var w = await StartAsync();
        await using var _ = w.Server;
        await TurnC1RedAsync(w);

        var run = await w.Job.RunOnceAsync(DateTime.UtcNow, default);
        Assert.Equal(1, run.Raised);
        Assert.Equal(0, (await w.Job.RunOnceAsync(DateTime.UtcNow, default)).Raised); // the same warning raises once

        var mine = await Json(await w.Officer.GetAsync("/api/warnings/instructions/mine"));
        var item = Assert.Single(mine.GetProperty("items").EnumerateArray());
        var id = item.GetProperty("id").GetInt64();
        Assert.Equal(("海景小区", "red", "red-check", "community_officer", "off1", "issued"), (item.GetProperty("placeName").GetString(),
            item.GetProperty("warning").GetString(), item.GetProperty("rule").GetString(), item.GetProperty("holder").GetString(),
            item.GetProperty("assigneeName").GetString(), item.GetProperty("status").GetString()));
        Assert.Equal(["accept"], Actions(item));
        var due = item.GetProperty("dueAt").GetDateTime();
        Assert.InRange((due - DateTime.UtcNow).TotalHours, 47, 48.1);

        // Out of order, wrong person, missing or oversized text: refused, nothing changes.
        Assert.Contains("needs it accepted", (await Json(await Act(w.Officer, id, "report", "查了"), HttpStatusCode.Conflict)).GetProperty("detail").GetString());
        await Json(await Act(w.Leader, id, "accept"), HttpStatusCode.Forbidden);
        await Json(await Act(w.Leader, id, "verify"), HttpStatusCode.Conflict);
        await Json(await Act(w.Officer, id, "promote"), HttpStatusCode.NotFound);
        await Json(await Act(w.Officer, 987654, "accept"), HttpStatusCode.NotFound);

        Assert.Equal(["report"], Actions(await Json(await Act(w.Officer, id, "accept"))));
        await Json(await Act(w.Officer, id, "accept"), HttpStatusCode.Conflict);
        Assert.Equal("feedback", (await Json(await Act(w.Officer, id, "report"), HttpStatusCode.BadRequest)).GetProperty("field").GetString());
        Assert.Equal("feedback", (await Json(await Act(w.Officer, id, "report", new string('长', 2001)), HttpStatusCode.BadRequest)).GetProperty("field").GetString());
        await Json(await Act(w.Officer, id, "report", "已排查车棚3处，加装监控1处"));
        await Json(await Act(w.Officer, id, "verify"), HttpStatusCode.Forbidden);   // not a leader, and its own
        Assert.Equal("reason", (await Json(await Act(w.Leader, id, "send_back"), HttpStatusCode.BadRequest)).GetProperty("field").GetString());
        var back = await Json(await Act(w.Leader, id, "send_back", "缺少照片"));
        Assert.Equal(("sent_back", "缺少照片"), (back.GetProperty("status").GetString(), back.GetProperty("returnReason").GetString()));
        // Back to the responsible person: on their list again with accept.
        var again = Assert.Single((await Json(await w.Officer.GetAsync("/api/warnings/instructions/mine"))).GetProperty("items").EnumerateArray());
        Assert.Equal(["accept"], Actions(again));
        await Json(await Act(w.Officer, id, "accept"));
        await Json(await Act(w.Officer, id, "report", "补充照片两张"));
        var verified = await Json(await Act(w.Leader, id, "verify"));
        Assert.Equal("verified", verified.GetProperty("status").GetString());
        Assert.Empty(Actions(verified));

        Assert.Equal("raised:GeoTwin (red-check),accept:off1,report:off1,send_back:lead1,accept:off1,report:off1,verify:lead1",
            string.Join(",", verified.GetProperty("history").EnumerateArray().Select(e => $"{e.GetProperty("kind").GetString()}:{e.GetProperty("actor").GetString()}")));
        Assert.Equal("done>verified", string.Join(",", verified.GetProperty("history").EnumerateArray().Skip(6)
            .Select(e => $"{e.GetProperty("fromStatus").GetString()}>{e.GetProperty("toStatus").GetString()}")));

        // The other station sees none of it: not on its board, unknown by id, not movable.
        Assert.Empty((await Json(await w.Leader2.GetAsync("/api/warnings/instructions"))).EnumerateArray());
        await Json(await w.Officer2.GetAsync($"/api/warnings/instructions/{id}"), HttpStatusCode.NotFound);
        await Json(await Act(w.Leader2, id, "send_back", "x"), HttpStatusCode.NotFound);
        Assert.Single((await Json(await w.Bureau.GetAsync("/api/warnings/instructions?status=verified"))).EnumerateArray());
        Assert.Empty((await Json(await w.Bureau.GetAsync("/api/warnings/instructions?status=issued"))).EnumerateArray());
        Assert.Equal("status", (await Json(await w.Bureau.GetAsync("/api/warnings/instructions?status=lost"), HttpStatusCode.BadRequest)).GetProperty("field").GetString());
        // Finished today: still on the officer's list for the day, with nothing left to do.
        Assert.Empty(Actions(Assert.Single((await Json(await w.Officer.GetAsync("/api/warnings/instructions/mine"))).GetProperty("items").EnumerateArray())));
    }

    [Fact]
    public async Task Leaders_raise_instructions_by_hand_in_their_own_jurisdiction_and_bad_requests_are_named()
    {
        var w = await StartAsync();
        await using var _ = w.Server;
        var c1 = await w.Db.ScalarAsync<long>("SELECT id FROM warning_places WHERE code = 'C1'");
        var c9 = await w.Db.ScalarAsync<long>("SELECT id FROM warning_places WHERE code = 'C9'"); // station 2's
        var before = await w.Db.ScalarAsync<long>("SELECT count(*) FROM warning_instructions");

        await Json(await w.Officer.PostAsJsonAsync("/api/warnings/instructions", new { placeId = c1, task = "巡查", hours = 24 }), HttpStatusCode.Forbidden);
        await Json(await w.Leader.PostAsJsonAsync("/api/warnings/instructions", new { placeId = c9, task = "巡查", hours = 24 }), HttpStatusCode.NotFound);
        await Json(await w.Leader.PostAsJsonAsync("/api/warnings/instructions", new { placeId = 99999, task = "巡查", hours = 24 }), HttpStatusCode.NotFound);
        Assert.Equal("task", (await Json(await w.Leader.PostAsJsonAsync("/api/warnings/instructions", new { placeId = c1, task = new string('x', 501), hours = 24 }), HttpStatusCode.BadRequest)).GetProperty("field").GetString());
        Assert.Equal("task", (await Json(await w.Leader.PostAsJsonAsync("/api/warnings/instructions", new { placeId = c1, task = "a\u0000b", hours = 24 }), HttpStatusCode.BadRequest)).GetProperty("field").GetString());
        Assert.Equal("dueAt", (await Json(await w.Leader.PostAsJsonAsync("/api/warnings/instructions", new { placeId = c1, task = "巡查" }), HttpStatusCode.BadRequest)).GetProperty("field").GetString());
        Assert.Equal("dueAt", (await Json(await w.Leader.PostAsJsonAsync("/api/warnings/instructions", new { placeId = c1, task = "巡查", dueAt = "2020-01-01T00:00:00Z" }), HttpStatusCode.BadRequest)).GetProperty("field").GetString());
        Assert.Equal("holder", (await Json(await w.Leader.PostAsJsonAsync("/api/warnings/instructions", new { placeId = c1, task = "巡查", hours = 4, holder = "mayor" }), HttpStatusCode.BadRequest)).GetProperty("field").GetString());
        Assert.Equal("assignee", (await Json(await w.Leader.PostAsJsonAsync("/api/warnings/instructions", new { placeId = c1, task = "巡查", hours = 4, assignee = "off2" }), HttpStatusCode.UnprocessableEntity)).GetProperty("field").GetString());
        Assert.Equal("assignee", (await Json(await w.Leader.PostAsJsonAsync("/api/warnings/instructions", new { placeId = c1, task = "巡查", hours = 4, assignee = "nobody" }), HttpStatusCode.UnprocessableEntity)).GetProperty("field").GetString());
        Assert.Equal(before, await w.Db.ScalarAsync<long>("SELECT count(*) FROM warning_instructions")); // nothing half-written

        var made = await Json(await w.Leader.PostAsJsonAsync("/api/warnings/instructions", new { placeId = c1, task = "夜间巡查车棚", hours = 12 }), HttpStatusCode.Created);
        Assert.Equal(("off1", "community_officer", "issued", "lead1"), (made.GetProperty("assigneeName").GetString(), made.GetProperty("holder").GetString(),
            made.GetProperty("status").GetString(), made.GetProperty("raisedBy").GetString()));
        var toLeader = await Json(await w.Leader.PostAsJsonAsync("/api/warnings/instructions", new { placeId = c1, task = "督办", hours = 12, holder = "station_leader" }), HttpStatusCode.Created);
        Assert.Equal(("lead1", "station_leader"), (toLeader.GetProperty("assigneeName").GetString(), toLeader.GetProperty("holder").GetString()));

        // The board filters by person and status.
        var officerId = made.GetProperty("assigneeId").GetInt64();
        Assert.Equal([made.GetProperty("id").GetInt64()], (await Json(await w.Leader.GetAsync($"/api/warnings/instructions?assignee={officerId}&status=issued")))
            .EnumerateArray().Select(i => i.GetProperty("id").GetInt64()));
    }

    [Fact]
    public async Task An_overdue_instruction_is_flagged_and_escalates_to_the_station_leader_then_the_sub_bureau()
    {
        var w = await StartAsync();
        await using var _ = w.Server;
        var c1 = await w.Db.ScalarAsync<long>("SELECT id FROM warning_places WHERE code = 'C1'");
        var made = await Json(await w.Leader.PostAsJsonAsync("/api/warnings/instructions", new { placeId = c1, task = "排查车棚", hours = 48 }), HttpStatusCode.Created);
        var id = made.GetProperty("id").GetInt64();
        await Json(await Act(w.Officer, id, "accept"));

        var now = DateTime.UtcNow;
        Assert.Equal((0, 0), await w.Job.EscalateAsync(now, default)); // not due yet
        await w.Db.ExecAsync("UPDATE warning_instructions SET due_at = now() - interval '2 hours' WHERE id = $1", id);
        Assert.Equal((1, 1), await w.Job.EscalateAsync(now, default));

        var escalated = await Json(await w.Leader.GetAsync($"/api/warnings/instructions/{id}"));
        Assert.Equal(("station_leader", "lead1", true, "accepted"), (escalated.GetProperty("holder").GetString(), escalated.GetProperty("assigneeName").GetString(),
            escalated.GetProperty("overdue").GetBoolean(), escalated.GetProperty("status").GetString()));
        var mineLeader = await Json(await w.Leader.GetAsync("/api/warnings/instructions/mine"));
        Assert.Contains(mineLeader.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetInt64() == id && i.GetProperty("overdue").GetBoolean());
        Assert.DoesNotContain((await Json(await w.Officer.GetAsync("/api/warnings/instructions/mine"))).GetProperty("items").EnumerateArray(),
            i => i.GetProperty("id").GetInt64() == id);

        Assert.Equal((0, 0), await w.Job.EscalateAsync(now.AddHours(1), default));     // waits a day at the station
        Assert.Equal((0, 1), await w.Job.EscalateAsync(now.AddHours(25), default));    // then the sub-bureau (here the city bureau)
        Assert.Equal((0, 0), await w.Job.EscalateAsync(now.AddHours(100), default));   // nowhere higher to go
        var top = await Json(await w.Bureau.GetAsync($"/api/warnings/instructions/{id}"));
        Assert.Equal(("sub_bureau", "bureau"), (top.GetProperty("holder").GetString(), top.GetProperty("assigneeName").GetString()));
        Assert.Equal("raised,accept,overdue,escalated,escalated", string.Join(",", top.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("kind").GetString())));
        Assert.Contains("lead1", top.GetProperty("history")[3].GetProperty("note").GetString());
        var ready = await Json(await Browser.Anonymous(w.Server).GetAsync("/readyz"));
        Assert.True(ready.ToString().Contains("warningInstructions"), ready.ToString());
    }

    [Fact]
    public async Task The_tables_checks_hold_the_vocabularys_statuses_holders_and_event_kinds()
    {
        await using var db = await pg.CreateDataSourceAsync();
        async Task<string> Check(string table, string column) => await db.ScalarAsync<string>("""
            SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c
            WHERE c.conrelid = $1::regclass AND c.contype = 'c' AND pg_get_constraintdef(c.oid) LIKE '%' || $2 || '%ANY%'
            """, table, column);
        var statuses = await Check("warning_instructions", "status");
        Assert.All(InstructionVocabulary.Statuses, s => Assert.Contains($"'{s}'", statuses));
        var holders = await Check("warning_instructions", "holder");
        Assert.All(InstructionVocabulary.Holders, h => Assert.Contains($"'{h}'", holders));
        var kinds = await Check("warning_instruction_events", "kind");
        Assert.All(InstructionVocabulary.EventKinds.Concat(InstructionVocabulary.Actions.Keys), k => Assert.Contains($"'{k}'", kinds));
        Assert.All(InstructionVocabulary.Actions.Values, a => Assert.Contains(a.To, InstructionVocabulary.Statuses));
    }

    [Fact]
    public async Task Statistics_per_station_and_month_count_issued_on_time_verified_feedback_and_places_against_last_year()
    {
        var w = await StartAsync();
        await using var _ = w.Server;
        var c1 = await w.Db.ScalarAsync<long>("SELECT id FROM warning_places WHERE code = 'C1'");
        var month = w.Server.App.Services.GetRequiredService<WarningLevels>().CurrentMonth();
        // Levels: this month C1 black, V1 red, Z1 red; the same month last year C1 red, V1 black, U1 black, C2 red;
        // station 2's C9 black this month (not station 1's).
        await w.Db.ExecAsync("""
            INSERT INTO warning_levels (place_id, month, count, level, near_next)
            SELECT p.id, v.m::date, v.n, v.level, false FROM warning_places p
            JOIN (VALUES ('C1', $1::date, 6, 'black'), ('V1', $1::date, 4, 'red'), ('Z1', $1::date, 5, 'red'),
                         ('C1', $2::date, 4, 'red'), ('V1', $2::date, 7, 'black'), ('U1', $2::date, 6, 'black'), ('C2', $2::date, 4, 'red'),
                         ('C9', $1::date, 6, 'black')) AS v(code, m, n, level) ON v.code = p.code
            """, month, month.AddYears(-1));
        // Four instructions this month: one verified in time, one reported late, one open, one raised last month (not counted).
        var ids = new List<long>();
        for (var n = 0; n < 4; n++)
            ids.Add((await Json(await w.Leader.PostAsJsonAsync("/api/warnings/instructions", new { placeId = c1, task = $"任务{n}", hours = 24 }), HttpStatusCode.Created)).GetProperty("id").GetInt64());
        foreach (var id in ids.Take(2))
        {
            await Json(await Act(w.Officer, id, "accept"));
            await Json(await Act(w.Officer, id, "report", "已办"));
        }
        await Json(await Act(w.Leader, ids[0], "verify"));
        await w.Db.ExecAsync("UPDATE warning_instructions SET due_at = done_at - interval '1 hour' WHERE id = $1", ids[1]);
        await w.Db.ExecAsync("UPDATE warning_instructions SET raised_at = raised_at - interval '40 days' WHERE id = $1", ids[3]);

        var stats = await Json(await w.Leader.GetAsync("/api/warnings/instructions/stats"));
        Assert.Equal($"{month:yyyy-MM}", stats.GetProperty("month").GetString());
        var st1 = Assert.Single(stats.GetProperty("stations").EnumerateArray()); // the leader sees their own station only
        Assert.Equal("T-ST1", st1.GetProperty("stationCode").GetString());
        Assert.Equal((3, 1, 2, 1), (st1.GetProperty("issued").GetInt32(), st1.GetProperty("doneOnTime").GetInt32(),
            st1.GetProperty("reported").GetInt32(), st1.GetProperty("verified").GetInt32()));
        Assert.Equal(0.5, st1.GetProperty("verifiedRate").GetDouble(), 9);
        Assert.Equal(2.0 / 3, st1.GetProperty("feedbackRate").GetDouble(), 9);
        Assert.Equal((1, 2, 2, 2), (st1.GetProperty("black").GetInt32(), st1.GetProperty("blackLastYear").GetInt32(),
            st1.GetProperty("red").GetInt32(), st1.GetProperty("redLastYear").GetInt32()));

        var all = await Json(await w.Bureau.GetAsync("/api/warnings/instructions/stats"));
        var st2 = all.GetProperty("stations").EnumerateArray().Single(s => s.GetProperty("stationCode").GetString() == "T-ST2");
        Assert.Equal((0, 1, JsonValueKind.Null), (st2.GetProperty("issued").GetInt32(), st2.GetProperty("black").GetInt32(), st2.GetProperty("feedbackRate").ValueKind));
        var lastYear = await Json(await w.Bureau.GetAsync($"/api/warnings/instructions/stats?month={month.AddYears(-1):yyyy-MM}"));
        Assert.Equal(2, lastYear.GetProperty("stations").EnumerateArray().Single(s => s.GetProperty("stationCode").GetString() == "T-ST1").GetProperty("black").GetInt32());
        Assert.Equal("month", (await Json(await w.Bureau.GetAsync("/api/warnings/instructions/stats?month=2026-13"), HttpStatusCode.BadRequest)).GetProperty("field").GetString());
    }
}
