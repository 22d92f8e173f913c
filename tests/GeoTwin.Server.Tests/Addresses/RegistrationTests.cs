using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using GeoTwin.Domain;
using GeoTwin.Server.Addresses.Plates;
using Microsoft.Extensions.DependencyInjection;

namespace GeoTwin.Server.Tests.Addresses;

/// <summary>
/// 人来登记、人走注销 through the plate: a resident declares a tenant, the landlord confirms, the officer approves and the
/// house's counts follow the people rows; bad input is refused by name with nothing written; each side sees only what
/// it may, and every read of declarations is audited.
/// </summary>
[Collection("postgis")]
public sealed class RegistrationTests(PostgisFixture pg) : IAsyncLifetime
{
    GeoTwinServer _server = null!;
    HttpClient _officer = null!, _officer2 = null!, _analyst = null!, _anonymous = null!, _tenant = null!, _landlord = null!, _other = null!;
    string _plate1 = null!, _plate2 = null!;
    static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);

    public async Task InitializeAsync()
    {
        _server = await pg.StartServerAsync();
        await TwoStations.SeedAsync(_server.Database.DataSource);
        _officer = await Browser.SignedInAsync(_server, "officer1", "community_officer", TwoStations.Station1);
        _officer2 = await Browser.SignedInAsync(_server, "officer2", "community_officer", TwoStations.Station2);
        _analyst = await Browser.SignedInAsync(_server, "analyst1", "analyst", TwoStations.Station1);
        _anonymous = Browser.Anonymous(_server);
        _tenant = await ResidentAsync(_officer, "tenant1", TwoStations.Address1, landlord: false);
        _landlord = await ResidentAsync(_officer, "landlord1", TwoStations.Address1, landlord: true);
        _other = await ResidentAsync(_officer2, "resident2", TwoStations.Address2, landlord: false);
        _plate1 = await PlateQueryAsync(_officer, TwoStations.Address1);
        _plate2 = await PlateQueryAsync(_officer2, TwoStations.Address2);
    }

    public async Task DisposeAsync()
    {
        foreach (var c in new[] { _officer, _officer2, _analyst, _anonymous, _tenant, _landlord, _other }) c?.Dispose();
        await _server.DisposeAsync();
    }

    async Task<HttpClient> ResidentAsync(HttpClient officer, string username, string address, bool landlord)
    {
        var created = await officer.PostAsJsonAsync("/api/residents", new
        {
            username, password = Browser.Password, fullName = "测试居民" + username, phone = "13800000000", addressCode = address, landlord,
        });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return await Browser.SignInAsync(_server, username, Browser.Password);
    }

    /// <summary>"v=..&amp;s=.." of the address's current plate, as its QR carries it.</summary>
    static async Task<string> PlateQueryAsync(HttpClient staff, string code)
    {
        var url = (await staff.GetFromJsonAsync<JsonElement>($"/api/plates/{code}")).GetProperty("url").GetString()!;
        return new Uri(url).Query.TrimStart('?');
    }

    /// <summary>A made-up, well-formed ID number: region 990000 is no GB/T 2260 region, so it is nobody's.</summary>
    static string Id(int n) => ResidentIdNumber.Make("990000", new DateOnly(1990, 1, 1).AddDays(n), n % 1000);

    static object Arrival(string idNumber, string? arrivedOn = null, string name = "张测试", string kind = "arrival", string? leftOn = null) => new
    {
        kind, subject = "tenant", fullName = name, idNumber, phone = "139 0000 0000",
        arrivedOn = kind == "arrival" ? arrivedOn ?? Today.AddDays(-1).ToString("yyyy-MM-dd") : arrivedOn, expectedLeaveOn = (string?)null, leftOn,
    };

    Task<HttpResponseMessage> Declare(HttpClient who, object body, string? code = null, string? plate = null) =>
        who.PostAsJsonAsync($"/api/plates/{code ?? TwoStations.Address1}/declarations?{plate ?? _plate1}", body);

    async Task<long> Scalar(string sql, params object[] args)
    {
        await using var cmd = _server.Database.DataSource.CreateCommand(sql);
        foreach (var a in args) cmd.Parameters.Add(new() { Value = a });
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    async Task<int[]> CountsAsync() {
        await using var cmd = _server.Database.DataSource.CreateCommand(
            "SELECT residents_total, residents_registered, residents_floating, residents_foreign FROM houses WHERE code = 'H-1'");
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        return [r.GetInt32(0), r.GetInt32(1), r.GetInt32(2), r.GetInt32(3)];
    }

    /// <summary>Every house's counts equal what its live people rows say.</summary>
    async Task AssertCountsAgreeWithPeopleAsync() => Assert.Equal(0, await Scalar("""
        SELECT count(*) FROM houses h LEFT JOIN LATERAL (
            SELECT count(*) t, count(*) FILTER (WHERE NOT floating) r, count(*) FILTER (WHERE floating) f, count(*) FILTER (WHERE foreign_national) x
            FROM people p WHERE p.house_id = h.id AND p.left_on IS NULL) c ON true
        WHERE (h.residents_total, h.residents_registered, h.residents_floating, h.residents_foreign) <> (c.t, c.r, c.f, c.x)
        """));

    static async Task<JsonElement> Ok(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    static async Task AssertProblem(HttpResponseMessage response, int status, string field)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status} naming {field}, got {(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(field, JsonDocument.Parse(body).RootElement.GetProperty("field").GetString());
    }

    /// <summary>The responsibility area T-ST1-A's registration figures, as the caller sees them.</summary>
    static async Task<JsonElement> AreaRateAsync(HttpClient who)
    {
        var rates = await Ok(await who.GetAsync("/api/registration/rates?by=area"));
        Assert.Equal(0.95, rates.GetProperty("target").GetDouble());
        return rates.GetProperty("places").EnumerateArray().Single(p => p.GetProperty("code").GetString() == TwoStations.Area1);
    }

    [Fact]
    public async Task Registration_rates_are_scoped_and_refuse_unknown_groupings()
    {
        var station2 = await Ok(await _officer2.GetAsync("/api/registration/rates?by=station&outlines=true"));
        var codes = station2.GetProperty("places").EnumerateArray().Select(p => p.GetProperty("code").GetString()).ToList();
        Assert.Equal([TwoStations.Station2], codes);
        Assert.Equal("MultiPolygon", station2.GetProperty("places")[0].GetProperty("boundary").GetProperty("type").GetString());
        await AssertProblem(await _officer2.GetAsync("/api/registration/rates?by=street"), 400, "by");
        Assert.Equal(HttpStatusCode.Forbidden, (await _tenant.GetAsync("/api/registration/rates")).StatusCode);
    }

    /// <summary>
    /// The rate's figures, for every grouping and as two stations' officers see them, are what the houses' counts and the
    /// live people rows say, counted here independently of the endpoint's SQL; and only the roles answering for the rate
    /// read it.
    /// </summary>
    [Fact]
    public async Task The_rates_agree_with_the_house_counts_and_the_people_rows_at_every_grouping()
    {
        await Scalar($"""
            INSERT INTO jurisdictions (code, kind, name, parent_id, boundary)
            SELECT 'T-ST1-C', 'community', '一所社区', id, ST_Multi(ST_MakeEnvelope(7.40, 43.72, 7.42, 43.74, 4326)) FROM jurisdictions WHERE code = '{TwoStations.Station1}'
            RETURNING 0
            """);
        await Scalar("UPDATE houses SET community_id = (SELECT id FROM jurisdictions WHERE code = 'T-ST1-C') WHERE code = 'H-1' RETURNING 0");
        // one tenant registered through the whole flow, one still waiting: only the registered one counts
        var declared = await Ok(await Declare(_tenant, Arrival(Id(20))), HttpStatusCode.Created);
        await Ok(await _landlord.PostAsync($"/api/declarations/{declared.GetProperty("id").GetInt64()}/confirm", null));
        await Ok(await _officer.PostAsync($"/api/declarations/{declared.GetProperty("id").GetInt64()}/approve", null));
        await Ok(await Declare(_tenant, Arrival(Id(21))), HttpStatusCode.Created);
        await AssertCountsAgreeWithPeopleAsync();

        var inPlace = new Dictionary<string, string>
        {
            ["community"] = "h.community_id = j.id",
            ["area"] = "h.jurisdiction_id = j.id",
            ["station"] = "j.kind = 'station' AND j.path @> h.jurisdiction_path",
        };
        var seen = new List<string>();
        foreach (var (who, officer) in new[] { ("officer1", _officer), ("officer2", _officer2) })
            foreach (var (by, predicate) in inPlace)
            {
                var rates = await Ok(await officer.GetAsync($"/api/registration/rates?by={by}"));
                Assert.Equal(0.95, rates.GetProperty("target").GetDouble());
                foreach (var p in rates.GetProperty("places").EnumerateArray())
                {
                    var code = p.GetProperty("code").GetString()!;
                    seen.Add($"{who}:{by}:{code}");
                    var counted = await Scalar($"SELECT coalesce(sum(h.residents_floating), 0) FROM houses h, jurisdictions j WHERE j.code = $1 AND {predicate}", code);
                    var floatingRows = await Scalar($"""
                        SELECT count(*) FROM people p JOIN houses h ON h.id = p.house_id, jurisdictions j
                        WHERE j.code = $1 AND {predicate} AND p.floating AND p.left_on IS NULL
                        """, code);
                    var registered = await Scalar($"""
                        SELECT count(*) FROM people p JOIN houses h ON h.id = p.house_id, jurisdictions j
                        WHERE j.code = $1 AND {predicate} AND p.floating AND p.left_on IS NULL AND p.registered_on IS NOT NULL
                        """, code);
                    var floating = p.GetProperty("floating").GetInt32();
                    Assert.Equal((counted, floatingRows, registered), (floating, floating, p.GetProperty("registeredFloating").GetInt32()));
                    Assert.Equal(Math.Round((double)registered / floating, 4), p.GetProperty("rate").GetDouble());
                    Assert.Equal(registered / (double)floating >= 0.95, p.GetProperty("meetsTarget").GetBoolean());
                }
            }
        // each officer sees their own station's places, one each grouping (station 2 has no community, and its house sits
        // on the station itself, which is then its own area)
        Assert.Equal(["officer1:community:T-ST1-C", "officer1:area:T-ST1-A", "officer1:station:T-ST1", "officer2:area:T-ST2", "officer2:station:T-ST2"], seen);
        var community = (await Ok(await _analyst.GetAsync("/api/registration/rates?by=community"))).GetProperty("places")[0];
        Assert.Equal((2, 1, 1, 1), (community.GetProperty("floating").GetInt32(), community.GetProperty("registeredFloating").GetInt32(),
            community.GetProperty("timed").GetInt32(), community.GetProperty("onTime").GetInt32()));

        using var dispatcher = await Browser.SignedInAsync(_server, "dispatcher1", "dispatcher", TwoStations.Station1);
        Assert.Equal(HttpStatusCode.Forbidden, (await dispatcher.GetAsync("/api/registration/rates")).StatusCode);
    }

    [Fact]
    public void Id_numbers_follow_gb_11643_check_characters()
    {
        Assert.Null(ResidentIdNumber.Problem("11010519491231002X", Today)); // the standard's own example
        Assert.Null(ResidentIdNumber.Problem("11010519491231002x", Today));
        Assert.Contains("check character", ResidentIdNumber.Problem("110105194912310021", Today));
        Assert.Contains("18", ResidentIdNumber.Problem("1101051949123100", Today));
        Assert.Contains("date", ResidentIdNumber.Problem("110105194913310028", Today));
        Assert.Contains("digit", ResidentIdNumber.Problem("11010519491231A02X", Today));
        var made = ResidentIdNumber.Make("990000", new DateOnly(1985, 6, 30), 7);
        Assert.Null(ResidentIdNumber.Problem(made, Today));
        Assert.Equal("990000********" + made[14..], ResidentIdNumber.Mask(made));
        Assert.True(ResidentIdNumber.IsForeignPermanentResident(made));
    }

    [Fact]
    public void Due_dates_count_working_days_only()
    {
        Assert.Equal(new DateOnly(2026, 12, 9), WorkingDays.Add(new DateOnly(2026, 12, 4), 3)); // Friday + 3 = Wednesday
        Assert.Equal(new DateOnly(2026, 12, 3), WorkingDays.Add(new DateOnly(2026, 11, 30), 3)); // Monday + 3 = Thursday
        Assert.Equal(new DateOnly(2026, 12, 7), WorkingDays.Add(new DateOnly(2026, 12, 5), 1)); // Saturday + 1 = Monday
    }

    [Fact]
    public async Task A_tenant_declared_confirmed_and_approved_is_registered_and_the_departure_reverses_it_with_the_counts()
    {
        var idNumber = Id(1);
        var before = await CountsAsync();
        var rateBefore = await AreaRateAsync(_analyst);
        Assert.Equal((1, 0), (rateBefore.GetProperty("floating").GetInt32(), rateBefore.GetProperty("registeredFloating").GetInt32())); // seeded: counted, not registered

        var declared = await Ok(await Declare(_tenant, Arrival(idNumber)), HttpStatusCode.Created);
        Assert.Equal("awaiting_landlord", declared.GetProperty("status").GetString()); // the house has a landlord
        var id = declared.GetProperty("id").GetInt64();
        Assert.Equal(WorkingDays.Add(Today.AddDays(-1), 3).ToString("yyyy-MM-dd"), declared.GetProperty("dueOn").GetString());

        // the officer cannot approve before the landlord has confirmed
        await AssertProblem(await _officer.PostAsync($"/api/declarations/{id}/approve", null), 409, "status");
        // the landlord sees the tenant with a masked ID number, and confirms
        var landlordView = await Ok(await _landlord.GetAsync("/api/declarations?status=awaiting_landlord"));
        Assert.Equal(idNumber[..6] + "********" + idNumber[14..], landlordView.EnumerateArray().Single(d => d.GetProperty("id").GetInt64() == id).GetProperty("idNumber").GetString());
        await AssertProblem(await _tenant.PostAsync($"/api/declarations/{id}/confirm", null), 403, "id");
        Assert.Equal("awaiting_officer", (await Ok(await _landlord.PostAsync($"/api/declarations/{id}/confirm", null))).GetProperty("status").GetString());
        Assert.Equal(before, await CountsAsync()); // nothing registered yet

        var approved = await Ok(await _officer.PostAsync($"/api/declarations/{id}/approve", null));
        Assert.Equal("approved", approved.GetProperty("status").GetString());
        Assert.Equal(["declared", "confirmed", "approved"], approved.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("action").GetString()!).ToArray());
        Assert.Equal(["tenant1", "landlord1", "officer1"], approved.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("byName").GetString()!).ToArray());
        var after = await CountsAsync();
        Assert.Equal([before[0] + 1, before[1], before[2] + 1, before[3] + 1], after); // 990000… reads as a foreigner's permanent-residence card
        await AssertCountsAgreeWithPeopleAsync();
        var rate = await AreaRateAsync(_analyst);
        Assert.Equal((2, 1, 0.5, false, 1.0), (rate.GetProperty("floating").GetInt32(), rate.GetProperty("registeredFloating").GetInt32(),
            rate.GetProperty("rate").GetDouble(), rate.GetProperty("meetsTarget").GetBoolean(), rate.GetProperty("timeliness").GetDouble()));
        // the officer's audited view of the house's people now holds them
        var houseId = await TwoStations.HouseIdAsync(_server.Database.DataSource, TwoStations.Address1);
        var people = await Ok(await _officer.GetAsync($"/api/houses/{houseId}/people"));
        Assert.Contains(people.EnumerateArray(), p => p.GetProperty("idNumber").GetString() == idNumber);

        // a second arrival of someone registered there is refused
        await AssertProblem(await Declare(_tenant, Arrival(idNumber)), 409, "idNumber");

        // departure: declared by the tenant, confirmed, approved: the registration ends and the counts go back
        var leaving = await Ok(await Declare(_tenant, Arrival(idNumber, kind: "departure", leftOn: Today.ToString("yyyy-MM-dd"))), HttpStatusCode.Created);
        var leaveId = leaving.GetProperty("id").GetInt64();
        await Ok(await _landlord.PostAsync($"/api/declarations/{leaveId}/confirm", null));
        await Ok(await _officer.PostAsync($"/api/declarations/{leaveId}/approve", null));
        Assert.Equal(before, await CountsAsync());
        await AssertCountsAgreeWithPeopleAsync();
        Assert.Equal(rateBefore.ToString(), (await AreaRateAsync(_analyst)).ToString());
        Assert.Equal(1, await Scalar("SELECT count(*) FROM people p JOIN people_identity i ON i.person_id = p.id WHERE i.id_number = $1 AND p.left_on IS NOT NULL", idNumber));
        // and the address's history shows both, newest first
        var history = await Ok(await _officer.GetAsync($"/api/declarations?address={TwoStations.Address1}"));
        Assert.Equal([leaveId, id], history.EnumerateArray().Where(d => d.GetProperty("idNumber").GetString() == idNumber).Select(d => d.GetProperty("id").GetInt64()).ToArray());
    }

    [Fact]
    public async Task Bad_input_is_refused_by_name_and_nothing_is_written()
    {
        var declarations = await Scalar("SELECT count(*) FROM declarations");
        var events = await Scalar("SELECT count(*) FROM declaration_events");
        var people = await Scalar("SELECT count(*) FROM people");
        var signer = _server.App.Services.GetRequiredService<PlateSigner>();

        // forged plate, unknown code, another station's address
        await AssertProblem(await Declare(_tenant, Arrival(Id(2)), plate: Regex.Replace(_plate1, "s=[^&]+", "s=AAAAAAAAAAAAAAAAAAAAAA")), 403, "s");
        await AssertProblem(await Declare(_tenant, Arrival(Id(2)), code: "NO-SUCH-ADDRESS-9", plate: $"v=1&s={await signer.SignAsync("NO-SUCH-ADDRESS-9", 1, default)}"), 404, "code");
        await AssertProblem(await Declare(_tenant, Arrival(Id(2)), code: TwoStations.Address2, plate: _plate2), 404, "code");
        await AssertProblem(await Declare(_tenant, Arrival(Id(2)), plate: _plate1.Replace("v=1", "v=x")), 400, "v");
        // wrong check digit, future dates, departure before arrival, oversized fields, not registered
        var id = Id(2);
        var wrongCheck = id[..17] + (id[17] == '0' ? '1' : '0');
        await AssertProblem(await Declare(_tenant, Arrival(wrongCheck)), 400, "idNumber");
        await AssertProblem(await Declare(_tenant, Arrival(id, arrivedOn: Today.AddDays(3).ToString("yyyy-MM-dd"))), 400, "arrivedOn");
        await AssertProblem(await Declare(_tenant, Arrival(id, arrivedOn: "2025-02-30")), 400, "arrivedOn");
        await AssertProblem(await Declare(_tenant, Arrival(id, name: new string('名', 101))), 400, "fullName");
        await AssertProblem(await Declare(_tenant, new { kind = "arrival", subject = "tenant", fullName = "李测试", idNumber = id, phone = new string('1', 40), arrivedOn = "2026-01-01" }), 400, "phone");
        await AssertProblem(await Declare(_tenant, new { kind = "moving", subject = "tenant", fullName = "李测试", idNumber = id }), 400, "kind");
        await AssertProblem(await Declare(_tenant, Arrival(id, kind: "departure", leftOn: Today.ToString("yyyy-MM-dd"))), 422, "idNumber");
        await AssertProblem(await Declare(_tenant, Arrival(id, kind: "departure", leftOn: Today.AddDays(1).ToString("yyyy-MM-dd"))), 400, "leftOn");
        // staff do not declare; residents do not approve
        await AssertProblem(await Declare(_officer, Arrival(id)), 403, "role");
        await AssertProblem(await _tenant.PostAsync("/api/declarations/1/approve", null), 403, "role");
        await AssertProblem(await _officer.PostAsync("/api/declarations/999999/approve", null), 404, "id");

        Assert.Equal(declarations, await Scalar("SELECT count(*) FROM declarations"));
        Assert.Equal(events, await Scalar("SELECT count(*) FROM declaration_events"));
        Assert.Equal(people, await Scalar("SELECT count(*) FROM people"));
    }

    /// <summary>The rest of the issue's bad input, each refused by name with nothing written.</summary>
    [Fact]
    public async Task Oversized_hostile_and_inconsistent_input_is_refused_by_name_and_nothing_is_written()
    {
        // one declaration waiting: a second arrival of the same person is refused while it waits
        var id = Id(30);
        await Ok(await Declare(_tenant, Arrival(id)), HttpStatusCode.Created);
        var declarations = await Scalar("SELECT count(*) FROM declarations");
        var events = await Scalar("SELECT count(*) FROM declaration_events");
        var people = await Scalar("SELECT count(*) FROM people");
        var counts = await CountsAsync();

        await AssertProblem(await Declare(_tenant, Arrival(id)), 409, "idNumber");
        var other = Id(31);
        // the expected departure before the arrival; dates too long ago or not dates at all
        await AssertProblem(await Declare(_tenant, new { kind = "arrival", subject = "tenant", fullName = "赵测试", idNumber = other, phone = "13900000002",
            arrivedOn = Today.AddDays(-2).ToString("yyyy-MM-dd"), expectedLeaveOn = Today.AddDays(-3).ToString("yyyy-MM-dd") }), 400, "expectedLeaveOn");
        await AssertProblem(await Declare(_tenant, Arrival(other, arrivedOn: "1850-01-01")), 400, "arrivedOn");
        await AssertProblem(await Declare(_tenant, Arrival(other, arrivedOn: new string('9', 5000))), 400, "arrivedOn");
        // oversized and hostile strings
        await AssertProblem(await Declare(_tenant, Arrival(new string('1', 5000))), 400, "idNumber");
        await AssertProblem(await Declare(_tenant, Arrival(other, name: "赵\u0000测试")), 400, "fullName");
        await AssertProblem(await Declare(_tenant, Arrival(other, name: "  ")), 400, "fullName");
        await AssertProblem(await Declare(_tenant, new { kind = "arrival", subject = "tenant", fullName = "赵测试", idNumber = other, phone = "<script>alert(1)</script>",
            arrivedOn = Today.ToString("yyyy-MM-dd") }), 400, "phone");
        await AssertProblem(await Declare(_tenant, new { kind = "arrival", subject = "landlord's cousin", fullName = "赵测试", idNumber = other }), 400, "subject");
        await AssertProblem(await Declare(_tenant, Arrival(other), code: new string('A', 300)), 400, "code");
        // a body that is not a declaration at all
        var notJson = await _tenant.PostAsync($"/api/plates/{TwoStations.Address1}/declarations?{_plate1}",
            new StringContent("{\"kind\": \"arrival\", ", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Equal("application/problem+json", notJson.Content.Headers.ContentType?.MediaType);
        // a reason too long for a landlord's rejection; an unknown declaration for the landlord
        var waiting = (await Ok(await _landlord.GetAsync("/api/declarations?status=awaiting_landlord"))).EnumerateArray().First().GetProperty("id").GetInt64();
        await AssertProblem(await _landlord.PostAsJsonAsync($"/api/declarations/{waiting}/reject", new { reason = new string('理', 501) }), 400, "reason");
        await AssertProblem(await _landlord.PostAsJsonAsync($"/api/declarations/{waiting}/reject", new { reason = "" }), 400, "reason");
        await AssertProblem(await _landlord.PostAsync("/api/declarations/987654321/confirm", null), 404, "id");
        // the other station's resident cannot confirm it either
        await AssertProblem(await _other.PostAsync($"/api/declarations/{waiting}/confirm", null), 404, "id");

        Assert.Equal(declarations, await Scalar("SELECT count(*) FROM declarations"));
        Assert.Equal(events, await Scalar("SELECT count(*) FROM declaration_events"));
        Assert.Equal(people, await Scalar("SELECT count(*) FROM people"));
        Assert.Equal(counts, await CountsAsync());
        Assert.Equal("awaiting_landlord", (await Ok(await _landlord.GetAsync("/api/declarations?status=awaiting_landlord")))
            .EnumerateArray().Single(d => d.GetProperty("id").GetInt64() == waiting).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_departure_before_the_arrival_and_a_revoked_plate_are_refused()
    {
        // a registered person (seeded, arrived 2025-01-01) gets a well-formed ID number to leave with
        var idNumber = Id(3);
        var personId = await Scalar("SELECT p.id FROM people p JOIN houses h ON h.id = p.house_id WHERE h.code = 'H-1' AND NOT p.floating AND p.left_on IS NULL ORDER BY p.id LIMIT 1");
        await Scalar("UPDATE people_identity SET id_number = $1 WHERE person_id = $2 RETURNING 0", idNumber, personId);
        await AssertProblem(await Declare(_tenant, Arrival(idNumber, kind: "departure", leftOn: "2024-12-31")), 400, "leftOn");

        await Scalar($"INSERT INTO addresses (code, element_type, parent_code, full_text, door_number, location, jurisdiction_id) SELECT 'REG-REVOKED-1', 62, code, full_text || ' 9室', '9室', location, jurisdiction_id FROM addresses WHERE code = '{TwoStations.Address1}' RETURNING 0");
        var old = await PlateQueryAsync(_officer, "REG-REVOKED-1");
        await Ok(await _officer.PostAsync("/api/plates/REG-REVOKED-1/reissue", null));
        await AssertProblem(await Declare(_tenant, Arrival(Id(4)), code: "REG-REVOKED-1", plate: old), 410, "v");
    }

    [Fact]
    public async Task Each_side_sees_only_its_own_declarations_and_every_read_is_audited()
    {
        var mine = await Ok(await Declare(_tenant, Arrival(Id(5))), HttpStatusCode.Created);
        var theirs = await Ok(await Declare(_other, Arrival(Id(6)), code: TwoStations.Address2, plate: _plate2), HttpStatusCode.Created);
        Assert.Equal("awaiting_officer", theirs.GetProperty("status").GetString()); // no landlord at that house

        var officer1 = (await Ok(await _officer.GetAsync("/api/declarations"))).EnumerateArray().Select(d => d.GetProperty("id").GetInt64()).ToList();
        var officer2 = (await Ok(await _officer2.GetAsync("/api/declarations"))).EnumerateArray().Select(d => d.GetProperty("id").GetInt64()).ToList();
        var resident2 = (await Ok(await _other.GetAsync("/api/declarations"))).EnumerateArray().Select(d => d.GetProperty("id").GetInt64()).ToList();
        var analyst = (await Ok(await _analyst.GetAsync("/api/declarations"))).GetArrayLength();
        Assert.Contains(mine.GetProperty("id").GetInt64(), officer1);
        Assert.DoesNotContain(theirs.GetProperty("id").GetInt64(), officer1);
        Assert.Equal([theirs.GetProperty("id").GetInt64()], officer2);
        Assert.Equal([theirs.GetProperty("id").GetInt64()], resident2);
        Assert.Equal(0, analyst); // no personal data for analysts
        // the other station's officer can neither approve nor send back
        await AssertProblem(await _officer2.PostAsync($"/api/declarations/{mine.GetProperty("id").GetInt64()}/approve", null), 404, "id");

        var audited = await Scalar("""
            SELECT count(*) FROM audit_log WHERE action = 'read' AND record_kind = 'declaration' AND endpoint = 'GET /api/declarations'
              AND username IN ('officer1', 'officer2', 'resident2', 'analyst1')
            """);
        Assert.True(audited >= 4, $"{audited} audited reads");
        Assert.Equal(1, await Scalar("SELECT count(*) FROM audit_log WHERE username = 'officer2' AND record_kind = 'declaration' AND $1 = ANY(record_ids)",
            theirs.GetProperty("id").GetInt64().ToString()));
    }

    [Fact]
    public async Task The_officer_sends_back_with_a_reason_and_late_declarations_are_flagged_overdue()
    {
        var late = await Ok(await Declare(_other, Arrival(Id(7), arrivedOn: Today.AddDays(-20).ToString("yyyy-MM-dd")), code: TwoStations.Address2, plate: _plate2),
            HttpStatusCode.Created);
        Assert.True(late.GetProperty("overdue").GetBoolean());
        var onTime = await Ok(await Declare(_other, Arrival(Id(8)), code: TwoStations.Address2, plate: _plate2), HttpStatusCode.Created);
        Assert.False(onTime.GetProperty("overdue").GetBoolean());

        var id = late.GetProperty("id").GetInt64();
        await AssertProblem(await _officer2.PostAsync($"/api/declarations/{id}/send-back", null), 400, "reason");
        await AssertProblem(await _officer2.PostAsJsonAsync($"/api/declarations/{id}/send-back", new { reason = new string('x', 501) }), 400, "reason");
        var back = await Ok(await _officer2.PostAsJsonAsync($"/api/declarations/{id}/send-back", new { reason = "身份证号与本人不符，请核对" }));
        Assert.Equal("sent_back", back.GetProperty("status").GetString());
        Assert.Equal("身份证号与本人不符，请核对", back.GetProperty("events").EnumerateArray().Last().GetProperty("reason").GetString());
        var waiting = await Ok(await _officer2.GetAsync("/api/declarations?status=awaiting_officer"));
        Assert.DoesNotContain(waiting.EnumerateArray(), d => d.GetProperty("id").GetInt64() == id);
        await AssertProblem(await _officer2.GetAsync("/api/declarations?status=pending"), 400, "status");
    }

    [Fact]
    public async Task A_resident_signs_up_at_the_plate_and_can_declare_once_the_officer_links_them()
    {
        var signUp = await _anonymous.PostAsJsonAsync($"/api/plates/{TwoStations.Address1}/residents?{_plate1}",
            new { username = "newcomer1", password = Browser.Password, fullName = "王测试", phone = "13900000001" });
        var userId = (await Ok(signUp, HttpStatusCode.Created)).GetProperty("id").GetInt64();
        await AssertProblem(await _anonymous.PostAsJsonAsync($"/api/plates/{TwoStations.Address1}/residents?{_plate1}",
            new { username = "newcomer1", password = Browser.Password, fullName = "王测试", phone = "13900000001" }), 409, "username");
        await AssertProblem(await _anonymous.PostAsJsonAsync($"/api/plates/{TwoStations.Address1}/residents?v=1&s=AAAAAAAAAAAAAAAAAAAAAA",
            new { username = "forger1", password = Browser.Password, fullName = "王测试", phone = "13900000001" }), 403, "s");

        using var newcomer = await Browser.SignInAsync(_server, "newcomer1", Browser.Password);
        await AssertProblem(await Declare(newcomer, Arrival(Id(9))), 404, "code"); // not linked yet

        var waiting = await Ok(await _officer.GetAsync("/api/residents?unlinked=true"));
        Assert.Contains(waiting.EnumerateArray(), r => r.GetProperty("userId").GetInt64() == userId && r.GetProperty("phone").GetString() == "13900000001");
        Assert.DoesNotContain((await Ok(await _officer2.GetAsync("/api/residents?unlinked=true"))).EnumerateArray(), r => r.GetProperty("userId").GetInt64() == userId);
        await AssertProblem(await _officer2.PostAsJsonAsync($"/api/residents/{userId}/link", new { addressCode = TwoStations.Address2 }), 404, "id");
        Assert.Equal(HttpStatusCode.NoContent, (await _officer.PostAsJsonAsync($"/api/residents/{userId}/link", new { addressCode = TwoStations.Address1 })).StatusCode);

        await Ok(await Declare(newcomer, Arrival(Id(9))), HttpStatusCode.Created);
        Assert.Equal(1, await Scalar("SELECT count(*) FROM audit_log WHERE username = 'officer1' AND record_kind = 'resident' AND $1 = ANY(record_ids)", userId.ToString()));
    }
}
