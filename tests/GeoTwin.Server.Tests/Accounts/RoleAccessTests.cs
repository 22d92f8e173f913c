using System.Net;
using System.Net.Http.Json;

namespace GeoTwin.Server.Tests.Accounts;

/// <summary>Every role against every endpoint group: what it may reach answers, the rest is 403; anonymous is 401.</summary>
[Collection("postgis")]
public sealed class RoleAccessTests(PostgisFixture pg) : IAsyncLifetime
{
    GeoTwinServer _server = null!;
    long _house1;

    public async Task InitializeAsync()
    {
        _server = await pg.StartServerAsync();
        await TwoStations.SeedAsync(_server.Database.DataSource);
        _house1 = await TwoStations.HouseIdAsync(_server.Database.DataSource, TwoStations.Address1);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    static readonly GeoTwin.Tiling.Tiles.TileAddress House1Tile = GeoTwin.Tiling.Tiles.TileAddress.Containing(7.41, 43.73, 16);
    static readonly string[] Staff = ["admin", "commander", "dispatcher", "analyst", "planner", "community_officer"];
    static readonly string[] Personal = ["admin", "commander", "dispatcher", "community_officer"];
    static readonly string[] Everyone = [.. Staff, "resident"];

    /// <summary>(path, roles that may GET it)</summary>
    (string Path, string[] Allowed)[] Matrix() =>
    [
        ("/api/auth/me", Everyone),
        ("/api/info", Everyone),
        ($"/api/qr/{TwoStations.Address1}", Everyone),
        ("/api/addresses?q=路", Staff),
        ($"/api/addresses/{TwoStations.Address1}", Staff),
        ($"/api/houses/{_house1}", Staff),
        ("/api/cameras", Staff),
        ("/api/units", Staff),
        ("/api/incidents", Staff),
        ("/openapi/v1.json", Staff),
        ("/api/layers", Staff),
        ("/api/search?q=路", Staff),
        ($"/tiles/houses,addresses/{House1Tile.Z}/{House1Tile.X}/{House1Tile.Y}.mvt", Staff),
        ("/tiles/houses.json", Staff),
        ($"/api/cameras/{TwoStations.Camera1}", Staff),
        ($"/api/incidents/{TwoStations.Incident1}", Staff),
        ($"/api/houses/{_house1}/people", Personal),
        ("/api/users", ["admin"]),
        ("/api/tokens", ["admin"]),
        ("/api/audit", ["admin"]),
        ("/jobs", ["admin"]),
    ];

    [Theory]
    [InlineData("admin")]
    [InlineData("commander")]
    [InlineData("dispatcher")]
    [InlineData("analyst")]
    [InlineData("planner")]
    [InlineData("community_officer")]
    [InlineData("resident")]
    public async Task Each_role_reaches_what_it_may_and_gets_403_elsewhere(string role)
    {
        var user = role.Replace('_', '-');
        var userId = await Browser.CreateUserAsync(_server, user, role, TwoStations.Station1);
        if (role == "resident")
        {
            await using var link = _server.Database.DataSource.CreateCommand(
                "INSERT INTO resident_addresses (user_id, address_id) SELECT $1, id FROM addresses WHERE code = $2");
            link.Parameters.Add(new() { Value = userId });
            link.Parameters.Add(new() { Value = TwoStations.Address1 });
            await link.ExecuteNonQueryAsync();
        }
        using var http = await Browser.SignInAsync(_server, user, Browser.Password);

        var wrong = new List<string>();
        foreach (var (path, allowed) in Matrix())
        {
            var status = (await http.GetAsync(path)).StatusCode;
            var expected = allowed.Contains(role) ? HttpStatusCode.OK : HttpStatusCode.Forbidden;
            if (status != expected) wrong.Add($"{path}: {(int)status}, expected {(int)expected}");
        }

        Assert.Empty(wrong);
    }

    [Fact]
    public async Task Nothing_but_health_readiness_and_the_client_answers_without_sign_in()
    {
        using var http = Browser.Anonymous(_server);
        var wrong = new List<string>();
        foreach (var (path, _) in Matrix())
        {
            var status = (await http.GetAsync(path)).StatusCode;
            if (status != HttpStatusCode.Unauthorized) wrong.Add($"{path}: {(int)status}");
        }

        Assert.Empty(wrong);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
        Assert.NotEqual(HttpStatusCode.Unauthorized, (await http.GetAsync("/")).StatusCode);
        Assert.NotEqual(HttpStatusCode.Unauthorized, (await http.GetAsync("/some/viewer/route")).StatusCode);
    }

    [Fact]
    public async Task A_resident_reaches_only_the_QR_page_of_their_own_address()
    {
        var id = await Browser.CreateUserAsync(_server, "tenant", "resident", TwoStations.Station1);
        await using (var link = _server.Database.DataSource.CreateCommand(
            "INSERT INTO resident_addresses (user_id, address_id) SELECT $1, id FROM addresses WHERE code = $2"))
        {
            link.Parameters.Add(new() { Value = id });
            link.Parameters.Add(new() { Value = TwoStations.Address1 });
            await link.ExecuteNonQueryAsync();
        }
        await using (var other = _server.Database.DataSource.CreateCommand(
            "INSERT INTO addresses (code, element_type, full_text, location, jurisdiction_id) SELECT 'neighbour-0001', 50, '邻居', location, jurisdiction_id FROM addresses WHERE code = $1"))
        {
            other.Parameters.Add(new() { Value = TwoStations.Address1 });
            await other.ExecuteNonQueryAsync();
        }
        using var http = await Browser.SignInAsync(_server, "tenant", Browser.Password);

        var own = await http.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/qr/{TwoStations.Address1}");
        var neighbour = await http.GetAsync("/api/qr/neighbour-0001");

        Assert.True(own.GetProperty("canDeclareArrivalOrDeparture").GetBoolean());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, own.GetProperty("houses").ValueKind); // no house details for residents
        Assert.Equal(HttpStatusCode.NotFound, neighbour.StatusCode);
    }
}
