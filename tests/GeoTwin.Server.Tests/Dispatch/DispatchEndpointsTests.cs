using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GeoTwin.DataImport.Demo;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Live;
using GeoTwin.Server.Tests.Live;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace GeoTwin.Server.Tests.Dispatch;

/// <summary>Intake, recommendation, dispatch, arrival and the trail over HTTP, on one server with the Monaco demo.</summary>
[Collection("postgis")]
public sealed partial class DispatchEndpointsTests(PostgisFixture pg) : IAsyncLifetime
{
    sealed record World(GeoTwinServer Server, string Station, double Lon, double Lat, HttpClient Dispatcher, HttpClient Other, HttpClient Officer,
        HttpClient Tracker);
    static readonly Shared<World> Shared = new();
    World _w = null!;

    NpgsqlDataSource Db => _w.Server.Database.DataSource;

    public async Task InitializeAsync()
    {
        _w = await Shared.GetAsync(() => BuildAsync(pg));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    static async Task<World> BuildAsync(PostgisFixture pg)
    {
        var server = await pg.StartServerAsync(new() { ["GeoTwin:Dispatch:ArrivalCheckSeconds"] = "0.5", ["GeoTwin:Freshness:OfflineSeconds"] = "86400",
            // shared by the class and never stopped: its watcher would only report the cluster going away at the end of the run
            ["Logging:LogLevel:GeoTwin.Server.Dispatch.ArrivalWatcher"] = "None" });
        await DemoJurisdiction.LoadIfEmptyAsync(server.Database.DataSource);
        // Dispatch ranks the units Live holds in memory: take in the demo's units now rather than at LiveSync's next tick.
        await server.App.Services.GetRequiredService<LiveSync>().RefreshAsync(default);
        // a station and a point on a street inside it
        await using var cmd = server.Database.DataSource.CreateCommand("""
            SELECT j.code, ST_X(p), ST_Y(p) FROM jurisdictions j
            JOIN LATERAL (SELECT ST_LineInterpolatePoint(r.geom, 0.5) p FROM roads r
                          WHERE r.road_class IN ('residential', 'tertiary', 'secondary', 'primary') AND r.oneway = 0
                            AND ST_Covers(j.boundary, ST_LineInterpolatePoint(r.geom, 0.5)) ORDER BY r.id LIMIT 1) x ON true
            WHERE j.kind = 'station' AND EXISTS (SELECT 1 FROM police_units u WHERE u.jurisdiction_id = j.id AND u.status = 'available' AND u.kind = 'car')
            ORDER BY j.code LIMIT 1
            """);
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        var (station, lon, lat) = (r.GetString(0), r.GetDouble(1), r.GetDouble(2));
        var root = await server.Database.DataSource.ScalarAsync<string>("SELECT code FROM jurisdictions WHERE parent_id IS NULL");
        return new World(server, station, lon, lat,
            await Browser.SignedInAsync(server, "disp-a", "dispatcher", root),
            await Browser.SignedInAsync(server, "disp-b", "dispatcher", root),
            await Browser.SignedInAsync(server, "officer", "community_officer", station),
            await LiveSeed.DeviceAsync(server, root));
    }

    async Task<string> CreateAsync(object? location = null, string category = "theft", int priority = 2)
    {
        var response = await _w.Dispatcher.PostAsJsonAsync("/api/incidents", new
        {
            category, priority, description = "wallet taken", callerPhone = "+377 600 000", callerName = "Caller",
            location = location ?? new { lon = _w.Lon, lat = _w.Lat },
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString()!;
    }

    async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    /// <summary>The nearest available unit the recommendation offers, with the status it was seen in.</summary>
    async Task<(long Id, string Status)> FirstRecommendedAsync(string code)
    {
        var rec = await Json(await _w.Dispatcher.GetAsync($"/api/incidents/{code}/recommendations?k=5"));
        var first = rec.GetProperty("units")[0];
        return (first.GetProperty("unitId").GetInt64(), first.GetProperty("status").GetString()!);
    }

    [Fact]
    public async Task Intake_by_coordinates_stores_the_incident_its_caller_and_the_intake_event()
    {
        var code = await CreateAsync();

        Assert.Equal("+377 600 000", await Db.ScalarAsync<string>("SELECT caller_phone FROM incident_callers c JOIN incidents i ON i.id = c.incident_id WHERE i.code = $1", code));
        var trail = await Json(await _w.Dispatcher.GetAsync($"/api/incidents/{code}/trail"));
        Assert.Equal("intake", trail[0].GetProperty("kind").GetString());
        Assert.Equal("disp-a", trail[0].GetProperty("actor").GetString());
        var detail = await Json(await _w.Dispatcher.GetAsync($"/api/incidents/{code}/detail"));
        Assert.Equal("new", detail.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Intake_resolves_address_codes_door_plate_urls_and_gcj02()
    {
        var (address, lon, lat) = await AddressAsync();
        var byCode = await Json(await _w.Dispatcher.PostAsJsonAsync("/api/incidents", new { category = "fight", location = new { addressCode = address } }), HttpStatusCode.Created);
        var byQr = await Json(await _w.Dispatcher.PostAsJsonAsync("/api/incidents", new { category = "fight", location = new { qrUrl = $"https://geotwin.example/api/qr/{address}" } }), HttpStatusCode.Created);
        var byGcj = await Json(await _w.Dispatcher.PostAsJsonAsync("/api/incidents", new { category = "fight", location = new { lon, lat, datum = "gcj02" } }), HttpStatusCode.Created);

        Assert.Equal(address, byCode.GetProperty("addressCode").GetString());
        Assert.Equal(address, byQr.GetProperty("addressCode").GetString());
        Assert.Equal(lon, byQr.GetProperty("lon").GetDouble(), 9);
        Assert.Equal(lon, byGcj.GetProperty("lon").GetDouble(), 9); // outside China GCJ-02 is WGS84
        // the second and third fight at the same place within minutes are offered for merging with the first
        Assert.Contains(byCode.GetProperty("code").GetString(), byGcj.GetProperty("mergeCandidates").EnumerateArray().Select(m => m.GetProperty("code").GetString()));
    }

    async Task<(string Code, double Lon, double Lat)> AddressAsync()
    {
        await using var cmd = Db.CreateCommand("SELECT code, ST_X(location), ST_Y(location) FROM addresses WHERE jurisdiction_id IS NOT NULL ORDER BY id LIMIT 1");
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        return (r.GetString(0), r.GetDouble(1), r.GetDouble(2));
    }

    [Fact]
    public async Task An_ambiguous_address_text_is_422_with_suggestions_and_a_merge_joins_two_incidents()
    {
        var word = await Db.ScalarAsync<string>("SELECT t FROM (SELECT left(full_text, 8) t FROM addresses) x GROUP BY t HAVING count(*) > 3 AND NOT EXISTS (SELECT 1 FROM addresses WHERE lower(full_text) = lower(t)) ORDER BY count(*) DESC LIMIT 1");
        var ambiguous = await Json(await _w.Dispatcher.PostAsJsonAsync("/api/incidents", new { category = "theft", location = new { addressText = word } }),
            HttpStatusCode.UnprocessableEntity);
        Assert.True(ambiguous.GetProperty("suggestions").GetArrayLength() > 1);

        var first = await CreateAsync(category: "fraud");
        var second = await CreateAsync(category: "fraud");
        var merged = await Json(await _w.Dispatcher.PostAsJsonAsync($"/api/incidents/{second}/merge", new { into = first }));
        Assert.Equal("merged", merged.GetProperty("status").GetString());
        Assert.Equal(first, merged.GetProperty("mergedInto").GetString());
        var again = await _w.Dispatcher.PostAsJsonAsync($"/api/incidents/{second}/merge", new { into = first });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Theory]
    [InlineData("""{"category":"arson","location":{"lon":7.42,"lat":43.73}}""", 400, "category: must be one of")]
    [InlineData("""{"category":"theft","priority":9,"location":{"lon":7.42,"lat":43.73}}""", 400, "priority: must be 1")]
    [InlineData("""{"category":"theft"}""", 400, "location: is required")]
    [InlineData("""{"category":"theft","location":{"lon":7.42,"lat":43.73,"addressCode":"x"}}""", 400, "give exactly one of")]
    [InlineData("""{"category":"theft","location":{"lon":700,"lat":43.73}}""", 400, "location.lon: must be a longitude")]
    [InlineData("""{"category":"theft","location":{"lon":7.42}}""", 400, "give both lon and lat")]
    [InlineData("""{"category":"theft","location":{"lon":7.42,"lat":43.73,"datum":"bd09x"}}""", 400, "location.datum")]
    [InlineData("""{"category":"theft","location":{"addressCode":"no-such-address"}}""", 422, "no address you may see has code 'no-such-address'")]
    [InlineData("""{"category":"theft","location":{"qrUrl":"javascript:alert(1)"}}""", 400, "is not a door-plate URL")]
    [InlineData("""{"category":"theft","location":{"addressText":"zzqxj no such street"}}""", 422, "no address you may see matches")]
    [InlineData("""{"category":"theft","location":{"lon":2.35,"lat":48.85}}""", 422, "is outside the jurisdiction of")]
    [InlineData("""{"category":"theft","callerPhone":"<script>","location":{"lon":7.42,"lat":43.73}}""", 400, "callerPhone")]
    [InlineData("""{"category":"theft","description":"a\u0000b","location":{"lon":7.42,"lat":43.73}}""", 400, "description: contains control characters")]
    public async Task Bad_intake_is_a_4xx_naming_what_is_wrong(string json, int status, string expected)
    {
        var before = await Db.ScalarAsync<long>("SELECT count(*) FROM incidents");
        var response = await _w.Dispatcher.PostAsync("/api/incidents", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync());
        Assert.Equal(before, await Db.ScalarAsync<long>("SELECT count(*) FROM incidents")); // nothing half-written
    }

    [Fact]
    public async Task Recommendations_rank_available_units_by_road_time_with_routes_and_reasons()
    {
        var code = await CreateAsync();
        var rec = await Json(await _w.Dispatcher.GetAsync($"/api/incidents/{code}/recommendations?k=3"));

        var units = rec.GetProperty("units").EnumerateArray().ToList();
        Assert.InRange(units.Count, 1, 3);
        var etas = units.Select(u => u.GetProperty("etaSeconds").GetDouble()).ToList();
        Assert.Equal(etas.Order(), etas);
        Assert.All(units, u =>
        {
            Assert.True(u.GetProperty("eligible").GetBoolean());
            Assert.Equal("road", u.GetProperty("etaBasis").GetString());
            Assert.True(u.GetProperty("route").GetArrayLength() >= 2);
            Assert.True(u.GetProperty("straightLineM").GetDouble() >= 0);
        });
        Assert.All(rec.GetProperty("ineligible").EnumerateArray(), u => Assert.NotEqual(0, u.GetProperty("reasons").GetArrayLength()));

        Assert.Equal(HttpStatusCode.NotFound, (await _w.Dispatcher.GetAsync("/api/incidents/NOPE-1/recommendations")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _w.Dispatcher.GetAsync($"/api/incidents/{code}/recommendations?k=0")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _w.Officer.GetAsync($"/api/incidents/{code}/recommendations")).StatusCode);
    }

    /// <summary>Whether the recommendation for <paramref name="code"/> offers the unit as eligible for the capability.</summary>
    async Task<bool> OfferedForAsync(string code, long unit, string capability)
    {
        var rec = await Json(await _w.Dispatcher.GetAsync($"/api/incidents/{code}/recommendations?k=50&capability={capability}"));
        return rec.GetProperty("units").EnumerateArray().Any(u => u.GetProperty("unitId").GetInt64() == unit && u.GetProperty("eligible").GetBoolean());
    }

    /// <summary>Polls (LiveSync refreshes every 2 s) until the answer is <paramref name="expected"/> or the deadline passes.</summary>
    static async Task<bool> WithinAsync(TimeSpan deadline, bool expected, Func<Task<bool>> probe)
    {
        var until = DateTime.UtcNow + deadline;
        while (true)
        {
            var now = await probe();
            if (now == expected || DateTime.UtcNow > until) return now;
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task A_capability_given_or_taken_by_sql_reaches_the_recommendation()
    {
        var code = await CreateAsync();
        var (unit, _) = await FirstRecommendedAsync(code);
        Assert.False(await OfferedForAsync(code, unit, "maritime")); // a land unit: no boat skills

        // As psql or an import would: no request of this server, only the police_units data version moves.
        await Db.ExecAsync("UPDATE police_units SET capabilities = array_append(capabilities, 'maritime') WHERE id = $1", unit);
        try
        {
            Assert.True(await WithinAsync(TimeSpan.FromSeconds(15), true, () => OfferedForAsync(code, unit, "maritime")),
                "the unit given 'maritime' by SQL was not offered for it within 15 s");
        }
        finally
        {
            await Db.ExecAsync("UPDATE police_units SET capabilities = array_remove(capabilities, 'maritime') WHERE id = $1", unit);
        }
        Assert.False(await WithinAsync(TimeSpan.FromSeconds(15), false, () => OfferedForAsync(code, unit, "maritime")),
            "the unit whose 'maritime' was taken away by SQL was still offered for it after 15 s");
    }

    [Fact]
    public async Task Two_dispatchers_sending_the_same_unit_at_once_exactly_one_wins()
    {
        var a = await CreateAsync(category: "robbery", priority: 1);
        var b = await CreateAsync(category: "burglary", priority: 1);
        var (unit, seen) = await FirstRecommendedAsync(a);

        var results = await Task.WhenAll(
            _w.Dispatcher.PostAsJsonAsync($"/api/incidents/{a}/dispatch", new { units = new[] { new { unitId = unit, seenStatus = seen } } }),
            _w.Other.PostAsJsonAsync($"/api/incidents/{b}/dispatch", new { units = new[] { new { unitId = unit, seenStatus = seen } } }));

        Assert.Equal(1, results.Count(r => r.StatusCode == HttpStatusCode.OK));
        var loser = Assert.Single(results, r => r.StatusCode != HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.Conflict, loser.StatusCode);
        Assert.Contains("is dispatched now, not available", await loser.Content.ReadAsStringAsync());
        Assert.Equal(1, await Db.ScalarAsync<long>("SELECT count(*) FROM incident_units WHERE unit_id = $1 AND released_at IS NULL", unit));
        Assert.Equal("dispatched", await Db.ScalarAsync<string>("SELECT status FROM police_units WHERE id = $1", unit));
        foreach (var code in new[] { a, b }) await _w.Dispatcher.PostAsJsonAsync($"/api/incidents/{code}/cancel", new { reason = "test over" });
        Assert.Equal("available", await Db.ScalarAsync<string>("SELECT status FROM police_units WHERE id = $1", unit));
    }

    [Fact]
    public async Task Dispatch_arrive_by_hand_and_close_leave_the_whole_trail()
    {
        var code = await CreateAsync(category: "medical", priority: 1);
        var (unit, seen) = await FirstRecommendedAsync(code);

        var sent = await Json(await _w.Dispatcher.PostAsJsonAsync($"/api/incidents/{code}/dispatch", new { units = new[] { new { unitId = unit, seenStatus = seen } } }));
        Assert.Equal("dispatched", sent.GetProperty("status").GetString());
        Assert.Equal("dispatched", sent.GetProperty("units")[0].GetProperty("unitStatus").GetString());
        var arrived = await Json(await _w.Other.PostAsJsonAsync($"/api/incidents/{code}/arrive", new { unitId = unit }));
        Assert.Equal("on_scene", arrived.GetProperty("status").GetString());
        Assert.Equal("by_hand", arrived.GetProperty("units")[0].GetProperty("arrivalHow").GetString());
        var closed = await Json(await _w.Dispatcher.PostAsJsonAsync($"/api/incidents/{code}/close", new { disposition = "treated on the spot" }));
        Assert.Equal("closed", closed.GetProperty("status").GetString());
        Assert.Equal("available", await Db.ScalarAsync<string>("SELECT status FROM police_units WHERE id = $1", unit));

        var trail = (await Json(await _w.Dispatcher.GetAsync($"/api/incidents/{code}/trail"))).EnumerateArray().ToList();
        Assert.Equal(["intake", "dispatch", "arrival", "unit_released", "close"], trail.Select(e => e.GetProperty("kind").GetString()));
        Assert.Equal(["disp-a", "disp-a", "disp-b", "disp-a", "disp-a"], trail.Select(e => e.GetProperty("actor").GetString()));
        Assert.Equal(HttpStatusCode.Conflict, (await _w.Dispatcher.PostAsJsonAsync($"/api/incidents/{code}/close", new { disposition = "again" })).StatusCode);
    }

    /// <summary>The search box on the demo: a place by its name, an address said either way round, each hit once.</summary>
    [Fact]
    public async Task Search_finds_places_by_name_and_addresses_in_either_word_order_once_each()
    {
        async Task<List<(string Kind, string Label)>> Search(string q) =>
            (await Json(await _w.Dispatcher.GetAsync($"/api/search?q={Uri.EscapeDataString(q)}&limit=20"))).EnumerateArray()
                .Select(h => (h.GetProperty("kind").GetString()!, h.GetProperty("label").GetString()!)).ToList();

        var hotel = await Db.ScalarAsync<string>("SELECT name FROM organizations WHERE category = 'hotel' ORDER BY code LIMIT 1");
        var found = await Search(hotel);
        Assert.Equal(("place", hotel), found[0]);

        // "摩纳哥 X社区 Street Name 19号": said "Street Name 19" or "19 Street Name"
        var text = await Db.ScalarAsync<string>("SELECT full_text FROM addresses WHERE full_text ~ '社区 [A-Za-z].* [0-9]+号$' ORDER BY code LIMIT 1");
        var m = System.Text.RegularExpressions.Regex.Match(text, @"社区 (.+) (\d+)号$");
        var (street, number) = (m.Groups[1].Value, m.Groups[2].Value);
        var numberLast = await Search($"{street} {number}");
        var numberFirst = await Search($"{number} {street}");
        Assert.Contains(("address", text), numberLast);
        Assert.Contains(("address", text), numberFirst);
        Assert.Equal(numberLast.Count, numberLast.Distinct().Count());
        Assert.Equal(numberFirst.Count, numberFirst.Distinct().Count());
        Assert.Equal("Boulevard des Moulins 19", GeoTwin.Server.Addresses.AddressesStore.Reordered("19 Boulevard des Moulins"));
        Assert.Null(GeoTwin.Server.Addresses.AddressesStore.Reordered("Plage du Larvotto"));
    }

    /// <summary>A beach is found by its name, once, as a place; intake by that name puts the incident on the beach.</summary>
    [Fact]
    public async Task A_beach_is_found_by_its_name_and_an_incident_can_be_taken_in_by_it()
    {
        var beach = await Db.ScalarAsync<string>("SELECT name FROM places WHERE kind = 'beach' AND name ILIKE '%Larvotto%'");
        var hits = (await Json(await _w.Dispatcher.GetAsync($"/api/search?q={Uri.EscapeDataString(beach)}&limit=20"))).EnumerateArray().ToList();
        Assert.Equal(("place", beach), (hits[0].GetProperty("kind").GetString(), hits[0].GetProperty("label").GetString()));
        Assert.Single(hits, h => h.GetProperty("label").GetString() == beach);
        Assert.DoesNotMatch(@"\b[POH]-[nwr]?\d+|\bn\d{5,}|\bw\d{5,}", string.Join("|", hits.Select(h => h.GetProperty("label").GetString()))); // no OSM or row ids in the text
        // part of the name finds it too, in any case
        var part = (await Json(await _w.Dispatcher.GetAsync("/api/search?q=larvotto&limit=20"))).EnumerateArray();
        Assert.Contains(part, h => h.GetProperty("label").GetString() == beach);

        var (lon, lat) = (hits[0].GetProperty("lon").GetDouble(), hits[0].GetProperty("lat").GetDouble());
        var created = await Json(await _w.Dispatcher.PostAsJsonAsync("/api/incidents",
            new { category = "missing_person", priority = 1, description = "child lost on the beach", location = new { addressText = beach.ToUpperInvariant() } }), HttpStatusCode.Created);
        var code = created.GetProperty("code").GetString()!;
        Assert.True(await Db.ScalarAsync<bool>($"SELECT ST_DWithin(location::geography, ST_SetSRID(ST_MakePoint({lon}, {lat}), 4326)::geography, 1) FROM incidents WHERE code = '{code}'"));
        await _w.Dispatcher.PostAsJsonAsync($"/api/incidents/{code}/cancel", new { reason = "test done" });
    }

    [Fact]
    public async Task A_unit_whose_position_reaches_the_incident_is_marked_arrived()
    {
        var code = await CreateAsync(category: "disturbance", priority: 2);
        var (unit, seen) = await FirstRecommendedAsync(code);
        await Json(await _w.Dispatcher.PostAsJsonAsync($"/api/incidents/{code}/dispatch", new { units = new[] { new { unitId = unit, seenStatus = seen } } }));

        var home = _w.Server.App.Services.GetRequiredService<LiveUnits>().Find(unit)!;
        // the unit's device reports a fix ~8 m from the incident, as a real one would (positions reach Dispatch through Live)
        await Json(await _w.Tracker.PostAsJsonAsync("/api/positions", new { fixes = new[] { LiveSeed.Fix(unit, DateTime.UtcNow, _w.Lon + 0.0001, _w.Lat) } }));
        JsonElement detail = default;
        for (var i = 0; i < 40; i++)
        {
            detail = await Json(await _w.Dispatcher.GetAsync($"/api/incidents/{code}/detail"));
            if (detail.GetProperty("status").GetString() == "on_scene") break;
            await Task.Delay(250);
        }
        Assert.Equal("on_scene", detail.GetProperty("status").GetString());
        Assert.Equal("position", detail.GetProperty("units")[0].GetProperty("arrivalHow").GetString());
        await _w.Dispatcher.PostAsJsonAsync($"/api/incidents/{code}/close", new { disposition = "done" });
        // back where it was, so other tests' incidents at the same place do not see it arrive at once
        await Json(await _w.Tracker.PostAsJsonAsync("/api/positions", new { fixes = new[] { LiveSeed.Fix(unit, DateTime.UtcNow.AddMilliseconds(1), home.Lon, home.Lat) } }));
    }

    [Fact]
    public async Task Reassigning_releases_one_unit_and_sends_another()
    {
        var code = await CreateAsync(category: "snatching", priority: 2);
        var rec = await Json(await _w.Dispatcher.GetAsync($"/api/incidents/{code}/recommendations?k=2"));
        var (u1, u2) = (rec.GetProperty("units")[0].GetProperty("unitId").GetInt64(), rec.GetProperty("units")[1].GetProperty("unitId").GetInt64());
        await Json(await _w.Dispatcher.PostAsJsonAsync($"/api/incidents/{code}/dispatch", new { units = new[] { new { unitId = u1, seenStatus = "available" } } }));

        var after = await Json(await _w.Dispatcher.PostAsJsonAsync($"/api/incidents/{code}/reassign", new { unitId = u1, to = new { unitId = u2, seenStatus = "available" } }));

        var units = after.GetProperty("units").EnumerateArray().ToList();
        Assert.Equal("reassigned", units.Single(u => u.GetProperty("unitId").GetInt64() == u1).GetProperty("releaseReason").GetString());
        Assert.Equal("dispatched", units.Single(u => u.GetProperty("unitId").GetInt64() == u2).GetProperty("unitStatus").GetString());
        Assert.Equal("available", await Db.ScalarAsync<string>("SELECT status FROM police_units WHERE id = $1", u1));
        await _w.Dispatcher.PostAsJsonAsync($"/api/incidents/{code}/cancel", new { });
        Assert.Equal("available", await Db.ScalarAsync<string>("SELECT status FROM police_units WHERE id = $1", u2));
    }

    [Fact]
    public async Task Bad_dispatches_are_404_409_422_or_400_and_change_nothing()
    {
        var code = await CreateAsync(category: "other", priority: 4);
        var busy = await Db.ScalarAsync<long>("SELECT id FROM police_units WHERE status = 'busy' ORDER BY id LIMIT 1");
        var available = await Db.ScalarAsync<long>("SELECT id FROM police_units WHERE status = 'available' AND NOT EXISTS (SELECT 1 FROM incident_units iu WHERE iu.unit_id = police_units.id AND iu.released_at IS NULL) ORDER BY id DESC LIMIT 1");

        async Task Expect(string path, object body, HttpStatusCode status, string text)
        {
            var response = await _w.Dispatcher.PostAsJsonAsync(path, body);
            var content = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == status, $"{path}: {(int)response.StatusCode} {content}");
            Assert.Contains(text, content);
        }
        await Expect("/api/incidents/NOPE-1/dispatch", new { units = new[] { new { unitId = available } } }, HttpStatusCode.NotFound, "no incident you may see has code 'NOPE-1'");
        await Expect($"/api/incidents/{code}/dispatch", new { units = new[] { new { unitId = 987654321L } } }, HttpStatusCode.NotFound, "unit 987654321 does not exist");
        await Expect($"/api/incidents/{code}/dispatch", new { units = new[] { new { unitId = busy } } }, HttpStatusCode.UnprocessableEntity, "cannot go from busy to dispatched");
        await Expect($"/api/incidents/{code}/dispatch", new { units = new[] { new { unitId = available, seenStatus = "busy" } } }, HttpStatusCode.Conflict, "is available now, not busy");
        await Expect($"/api/incidents/{code}/dispatch", new { units = Array.Empty<object>() }, HttpStatusCode.BadRequest, "units: name at least one unit");
        await Expect($"/api/incidents/{code}/dispatch", new { units = new[] { new { unitId = available, seenStatus = "asleep" } } }, HttpStatusCode.BadRequest, "seenStatus must be one of");
        // one good unit and one busy one: all or nothing
        await Expect($"/api/incidents/{code}/dispatch", new { units = new[] { new { unitId = available }, new { unitId = busy } } }, HttpStatusCode.UnprocessableEntity, "cannot go from busy");
        Assert.Equal("available", await Db.ScalarAsync<string>("SELECT status FROM police_units WHERE id = $1", available));
        await Expect($"/api/incidents/{code}/arrive", new { unitId = available }, HttpStatusCode.Conflict, "is not on its way");
        await Expect($"/api/incidents/{code}/close", new { }, HttpStatusCode.BadRequest, "disposition: is required");
        Assert.Equal("new", await Db.ScalarAsync<string>("SELECT status FROM incidents WHERE code = $1", code));
        Assert.Equal(1, await Db.ScalarAsync<long>("SELECT count(*) FROM incident_events e JOIN incidents i ON i.id = e.incident_id WHERE i.code = $1", code));
        Assert.Equal(HttpStatusCode.Forbidden, (await _w.Officer.PostAsJsonAsync($"/api/incidents/{code}/dispatch", new { units = new[] { new { unitId = available } } })).StatusCode);
    }

    [Fact]
    public async Task A_call_platform_token_may_take_alarms_but_not_dispatch()
    {
        var root = await Db.ScalarAsync<string>("SELECT code FROM jurisdictions WHERE parent_id IS NULL");
        var token = await new GeoTwin.Server.Accounts.AccountsStore(Db).CreateTokenAsync("call-platform", "incident_intake", root, null, null, default);
        var importer = await new GeoTwin.Server.Accounts.AccountsStore(Db).CreateTokenAsync("loader", "import", root, null, null, default);
        using var platform = new HttpClient { BaseAddress = new Uri(_w.Server.Url) };
        platform.DefaultRequestHeaders.Authorization = new("Bearer", token!.Secret);
        using var other = new HttpClient { BaseAddress = new Uri(_w.Server.Url) };
        other.DefaultRequestHeaders.Authorization = new("Bearer", importer!.Secret);

        var created = await Json(await platform.PostAsJsonAsync("/api/incidents", new
        {
            category = "fire", priority = 1, callerPhone = "112", location = new { lon = _w.Lon, lat = _w.Lat },
        }), HttpStatusCode.Created);
        var code = created.GetProperty("code").GetString()!;

        Assert.Equal("call_platform", await Db.ScalarAsync<string>("SELECT source FROM incidents WHERE code = $1", code));
        Assert.Equal("112", await Db.ScalarAsync<string>("SELECT caller_phone FROM incident_callers c JOIN incidents i ON i.id = c.incident_id WHERE i.code = $1", code));
        Assert.Equal(HttpStatusCode.Forbidden, (await other.PostAsJsonAsync("/api/incidents", new { category = "fire", location = new { lon = _w.Lon, lat = _w.Lat } })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await platform.GetAsync($"/api/incidents/{code}/recommendations")).StatusCode);
        await _w.Dispatcher.PostAsJsonAsync($"/api/incidents/{code}/cancel", new { });
    }

    /// <summary>The hub, spoken as the viewer speaks it (SignalR JSON protocol over a WebSocket, the session cookie).</summary>
    static async Task<System.Net.WebSockets.ClientWebSocket> HubAsync(GeoTwinServer server, string username)
    {
        var cookies = new CookieContainer();
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = new Uri(server.Url) };
        (await http.PostAsJsonAsync("/api/auth/login", new { username, password = Browser.Password })).EnsureSuccessStatusCode();
        using var negotiate = new HttpRequestMessage(HttpMethod.Post, "/hubs/dispatch/negotiate?negotiateVersion=1");
        negotiate.Headers.Add("X-CSRF-Token", cookies.GetCookies(new Uri(server.Url))["geotwin.csrf"]!.Value);
        var token = (await Json200(await http.SendAsync(negotiate))).GetProperty("connectionToken").GetString();
        var ws = new System.Net.WebSockets.ClientWebSocket();
        ws.Options.Cookies = cookies;
        await ws.ConnectAsync(new Uri(server.Url.Replace("http://", "ws://") + $"/hubs/dispatch?id={token}"), default);
        await ws.SendAsync("{\"protocol\":\"json\",\"version\":1}\u001e"u8.ToArray(), System.Net.WebSockets.WebSocketMessageType.Text, true, default);
        return ws;
    }

    static async Task<JsonElement> Json200(HttpResponseMessage r)
    {
        r.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;
    }

    /// <summary>Incident codes the socket hears within the time given.</summary>
    static async Task<List<string>> HeardAsync(System.Net.WebSockets.ClientWebSocket ws, TimeSpan within)
    {
        var heard = new List<string>();
        var buffer = new byte[16384];
        using var stop = new CancellationTokenSource(within);
        var text = new System.Text.StringBuilder();
        try
        {
            while (true)
            {
                var r = await ws.ReceiveAsync(buffer, stop.Token);
                text.Append(System.Text.Encoding.UTF8.GetString(buffer, 0, r.Count));
                foreach (var part in text.ToString().Split('\u001e').SkipLast(1))
                    if (part.Contains("\"target\":\"incident\"")) heard.Add(JsonDocument.Parse(part).RootElement.GetProperty("arguments")[0].GetProperty("code").GetString()!);
                text.Remove(0, text.ToString().LastIndexOf('\u001e') + 1);
            }
        }
        catch (OperationCanceledException) { }
        return heard;
    }

    [Fact]
    public async Task The_hub_tells_each_dispatcher_only_about_incidents_in_their_jurisdiction()
    {
        var other = await Db.ScalarAsync<string>("SELECT code FROM jurisdictions WHERE kind = 'station' AND code <> $1 ORDER BY code LIMIT 1", _w.Station);
        await Browser.CreateUserAsync(_w.Server, "hub-here", "dispatcher", _w.Station);
        await Browser.CreateUserAsync(_w.Server, "hub-elsewhere", "dispatcher", other);
        using var here = await HubAsync(_w.Server, "hub-here");
        using var elsewhere = await HubAsync(_w.Server, "hub-elsewhere");
        using var city = await HubAsync(_w.Server, "disp-a");
        await Task.Delay(500); // the handshakes

        var listening = new[] { HeardAsync(here, TimeSpan.FromSeconds(4)), HeardAsync(elsewhere, TimeSpan.FromSeconds(4)), HeardAsync(city, TimeSpan.FromSeconds(4)) };
        var code = await CreateAsync(category: "fight", priority: 3);
        var heard = await Task.WhenAll(listening);

        Assert.Contains(code, heard[0]);
        Assert.DoesNotContain(code, heard[1]);
        Assert.Contains(code, heard[2]);
        await _w.Dispatcher.PostAsJsonAsync($"/api/incidents/{code}/cancel", new { });
    }

    [Fact]
    public async Task A_unit_on_a_less_urgent_incident_is_offered_as_a_diversion_and_can_be_diverted()
    {
        var minor = await CreateAsync(category: "disturbance", priority: 4);
        var (unit, seen) = await FirstRecommendedAsync(minor);
        await Json(await _w.Dispatcher.PostAsJsonAsync($"/api/incidents/{minor}/dispatch", new { units = new[] { new { unitId = unit, seenStatus = seen } } }));
        var urgent = await CreateAsync(category: "robbery", priority: 1);

        var rec = await Json(await _w.Dispatcher.GetAsync($"/api/incidents/{urgent}/recommendations?k=50"));
        var offered = rec.GetProperty("units").EnumerateArray().Single(u => u.GetProperty("unitId").GetInt64() == unit);
        Assert.True(offered.GetProperty("diversion").GetBoolean());
        Assert.Equal(minor, offered.GetProperty("divertFrom").GetString());
        // the less urgent incident does not get it offered back: it is already there
        var back = await Json(await _w.Dispatcher.GetAsync($"/api/incidents/{minor}/recommendations?k=50"));
        Assert.DoesNotContain(unit, back.GetProperty("units").EnumerateArray().Select(u => u.GetProperty("unitId").GetInt64()));

        await Json(await _w.Dispatcher.PostAsJsonAsync($"/api/incidents/{urgent}/dispatch", new { units = new[] { new { unitId = unit, seenStatus = "dispatched" } } }));
        var minorTrail = (await Json(await _w.Dispatcher.GetAsync($"/api/incidents/{minor}/trail"))).EnumerateArray().Select(e => e.GetProperty("kind").GetString()).ToList();
        Assert.Equal(["intake", "dispatch", "reassign"], minorTrail);
        Assert.Equal(urgent, await Db.ScalarAsync<string>("SELECT i.code FROM incident_units iu JOIN incidents i ON i.id = iu.incident_id WHERE iu.unit_id = $1 AND iu.released_at IS NULL", unit));
        foreach (var code in new[] { minor, urgent }) await _w.Dispatcher.PostAsJsonAsync($"/api/incidents/{code}/cancel", new { });
    }
}
