using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;
using Npgsql;

namespace GeoTwin.Server.Tests.Accounts;

/// <summary>A station's user never sees another station's people, incidents, houses, cameras or units, by any path.</summary>
[Collection("postgis")]
public sealed class ScopingTests(PostgisFixture pg) : IAsyncLifetime
{
    GeoTwinServer _server = null!;
    HttpClient _station1 = null!;
    HttpClient _city = null!;

    public async Task InitializeAsync()
    {
        _server = await pg.StartServerAsync();
        await TwoStations.SeedAsync(_server.Database.DataSource);
        _station1 = await Browser.SignedInAsync(_server, "officer1", "community_officer", TwoStations.Station1);
        _city = await Browser.SignedInAsync(_server, "commander", "commander", TwoStations.City);
    }

    public async Task DisposeAsync()
    {
        _station1.Dispose();
        _city.Dispose();
        await _server.DisposeAsync();
    }

    static async Task<string[]> Values(HttpClient http, string path, string property) =>
        (await http.GetFromJsonAsync<JsonElement>(path)).EnumerateArray().Select(e => e.GetProperty(property).GetString()!).Order().ToArray();

    [Fact]
    public async Task Lists_hold_only_the_station_own_rows_while_the_city_sees_both()
    {
        Assert.Equal([TwoStations.Camera1], await Values(_station1, "/api/cameras", "id"));
        Assert.Equal([TwoStations.Unit1], await Values(_station1, "/api/units", "callSign"));
        Assert.Equal([TwoStations.Incident1], await Values(_station1, "/api/incidents", "code"));
        Assert.Equal([TwoStations.Camera1, TwoStations.Camera2], await Values(_city, "/api/cameras", "id"));
        Assert.Equal([TwoStations.Incident1, TwoStations.Incident2], await Values(_city, "/api/incidents", "code"));
    }

    [Fact]
    public async Task Search_by_text_or_code_does_not_find_the_other_station()
    {
        Assert.Empty(await Values(_station1, "/api/addresses?q=海滨路", "code"));
        Assert.Empty(await Values(_station1, $"/api/addresses?q={TwoStations.Address2}", "code"));
        Assert.Equal([TwoStations.Address1], await Values(_station1, "/api/addresses?q=和平路", "code"));
        Assert.Equal([TwoStations.Address2], await Values(_city, "/api/addresses?q=海滨路", "code"));
    }

    [Fact]
    public async Task Records_of_the_other_station_are_404_and_asking_for_their_people_is_audited_without_naming_anyone()
    {
        var house2 = await TwoStations.HouseIdAsync(_server.Database.DataSource, TwoStations.Address2);

        var address = await _station1.GetAsync($"/api/addresses/{TwoStations.Address2}");
        var house = await _station1.GetAsync($"/api/houses/{house2}");
        var people = await _station1.GetAsync($"/api/houses/{house2}/people");
        var plate = await _station1.GetAsync($"/api/qr/{TwoStations.Address2}");

        Assert.All(new[] { address, house, people, plate }, r => Assert.Equal(HttpStatusCode.NotFound, r.StatusCode));
        // Who asked for whom is the fact to keep (#15), even when the house is not theirs to see: one row, naming
        // the house asked for and no person.
        await using var audit = _server.Database.DataSource.CreateCommand(
            "SELECT count(*) || ' ' || coalesce(max(cardinality(record_ids)), -1) || ' ' || coalesce(bool_and(details->'asked'->>'houseVisible' = 'false'), false) FROM audit_log WHERE record_kind = 'person' AND details->'asked'->>'houseId' = $1");
        audit.Parameters.AddWithValue(house2.ToString());
        Assert.Equal("1 0 true", await audit.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Row_level_security_holds_even_for_a_query_that_forgets_to_filter()
    {
        var scoped = new ScopedDb(_server.Database.DataSource);
        var station1 = await PathOf(TwoStations.Station1);
        var officer = new CurrentUser(1, null, "officer1", Roles.CommunityOfficer, station1);
        var analyst = officer with { Role = Roles.Analyst };
        const string everything = """
            SELECT (SELECT count(*) FROM people) + (SELECT count(*) FROM houses) + (SELECT count(*) FROM cameras)
                 + (SELECT count(*) FROM incidents) + (SELECT count(*) FROM police_units) + (SELECT count(*) FROM addresses)
                 + (SELECT count(*) FROM people_identity)
            """;

        var seen = await scoped.RunAsync(officer, async s => { await using var c = s.Command(everything); return (long)(await c.ExecuteScalarAsync())!; }, default);
        var denied = await Assert.ThrowsAsync<PostgresException>(() =>
            scoped.RunAsync(analyst, async s => { await using var c = s.Command("SELECT count(*) FROM people_identity"); return await c.ExecuteScalarAsync(); }, default));

        Assert.Equal(2 + 1 + 1 + 1 + 1 + 1 + 2, seen); // station 1's rows only: 2 people, 1 house, 1 camera, 1 incident, 1 unit, 1 address, 2 identities
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, denied.SqlState);
    }

    async Task<string> PathOf(string code)
    {
        await using var cmd = _server.Database.DataSource.CreateCommand("SELECT path::text FROM jurisdictions WHERE code = $1");
        cmd.Parameters.Add(new() { Value = code });
        return (string)(await cmd.ExecuteScalarAsync())!;
    }
}
