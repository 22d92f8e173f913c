using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace GeoTwin.Server.Tests.Accounts;

[Collection("postgis")]
public sealed class AuditTests(PostgisFixture pg)
{
    [Fact]
    public async Task Reading_people_writes_an_audit_row_and_reading_a_house_does_not()
    {
        await using var server = await pg.StartServerAsync();
        await TwoStations.SeedAsync(server.Database.DataSource);
        var house = await TwoStations.HouseIdAsync(server.Database.DataSource, TwoStations.Address1);
        using var officer = await Browser.SignedInAsync(server, "officer1", "community_officer", TwoStations.Station1);
        using var admin = await Browser.SignedInAsync(server, "root", "admin", TwoStations.City);

        await officer.GetAsync($"/api/houses/{house}");
        var afterHouse = await admin.GetFromJsonAsync<JsonElement>("/api/audit?user=officer1");
        var people = await officer.GetFromJsonAsync<JsonElement>($"/api/houses/{house}/people");
        var afterPeople = await admin.GetFromJsonAsync<JsonElement>("/api/audit?user=officer1");

        Assert.Equal(0, afterHouse.GetArrayLength());
        Assert.Equal(2, people.GetArrayLength());
        Assert.StartsWith("居民", people[0].GetProperty("fullName").GetString());
        var row = Assert.Single(afterPeople.EnumerateArray());
        Assert.Equal("read", row.GetProperty("action").GetString());
        Assert.Equal("person", row.GetProperty("recordKind").GetString());
        Assert.Equal($"GET /api/houses/{house}/people", row.GetProperty("endpoint").GetString());
        Assert.Equal("127.0.0.1", row.GetProperty("remoteAddr").GetString());
        Assert.Equal(people.EnumerateArray().Select(p => p.GetProperty("id").GetInt64().ToString()).Order(),
            row.GetProperty("recordIds").EnumerateArray().Select(v => v.GetString()!).Order());
        Assert.Equal(house, row.GetProperty("details").GetProperty("asked").GetProperty("houseId").GetInt64());
        Assert.Equal(2, row.GetProperty("details").GetProperty("shown").GetInt32());
    }

    [Fact]
    public async Task Asking_for_the_people_of_a_house_is_audited_when_nobody_is_there_or_the_house_is_not_yours()
    {
        await using var server = await pg.StartServerAsync();
        await TwoStations.SeedAsync(server.Database.DataSource);
        var empty = await TwoStations.HouseIdAsync(server.Database.DataSource, TwoStations.Address1);
        var other = await TwoStations.HouseIdAsync(server.Database.DataSource, TwoStations.Address2);
        await using (var clear = server.Database.DataSource.CreateCommand(
            "DELETE FROM people WHERE house_id = $1"))
        {
            clear.Parameters.Add(new() { Value = empty });
            await clear.ExecuteNonQueryAsync();
        }
        using var officer = await Browser.SignedInAsync(server, "officer1", "community_officer", TwoStations.Station1);
        using var admin = await Browser.SignedInAsync(server, "root", "admin", TwoStations.City);

        var nobody = await officer.GetFromJsonAsync<JsonElement>($"/api/houses/{empty}/people");
        var notYours = await officer.GetAsync($"/api/houses/{other}/people");
        var rows = (await admin.GetFromJsonAsync<JsonElement>("/api/audit?user=officer1&action=read")).EnumerateArray().Reverse().ToList();

        Assert.Equal(0, nobody.GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, notYours.StatusCode);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal("person", r.GetProperty("recordKind").GetString()));
        Assert.All(rows, r => Assert.Equal(0, r.GetProperty("recordIds").GetArrayLength()));
        Assert.Equal($"GET /api/houses/{empty}/people", rows[0].GetProperty("endpoint").GetString());
        Assert.Equal(empty, rows[0].GetProperty("details").GetProperty("asked").GetProperty("houseId").GetInt64());
        Assert.True(rows[0].GetProperty("details").GetProperty("asked").GetProperty("houseVisible").GetBoolean());
        Assert.Equal(0, rows[0].GetProperty("details").GetProperty("shown").GetInt32());
        Assert.Equal(other, rows[1].GetProperty("details").GetProperty("asked").GetProperty("houseId").GetInt64());
        Assert.False(rows[1].GetProperty("details").GetProperty("asked").GetProperty("houseVisible").GetBoolean());
    }

    [Fact]
    public async Task Admin_changes_are_audited_and_the_audit_search_filters()
    {
        await using var server = await pg.StartServerAsync();
        await TwoStations.SeedAsync(server.Database.DataSource);
        using var admin = await Browser.SignedInAsync(server, "root", "admin", TwoStations.City);

        var created = await admin.PostAsJsonAsync("/api/users", new { username = "new.user", displayName = "新用户", password = "long enough pass", role = "analyst", jurisdictionCode = TwoStations.Station2 });
        var byAction = await admin.GetFromJsonAsync<JsonElement>("/api/audit?action=user.create");
        var future = await admin.GetFromJsonAsync<JsonElement>("/api/audit?from=2999-01-01T00:00:00Z");
        var badLimit = await admin.GetAsync("/api/audit?limit=0");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("root", Assert.Single(byAction.EnumerateArray()).GetProperty("username").GetString());
        Assert.Equal(0, future.GetArrayLength());
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
    }
}
