using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace GeoTwin.Server.Tests.Accounts;

[Collection("postgis")]
public sealed class AdministrationTests(PostgisFixture pg) : IAsyncLifetime
{
    GeoTwinServer _server = null!;
    HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _server = await pg.StartServerAsync();
        await TwoStations.SeedAsync(_server.Database.DataSource);
        _admin = await Browser.SignedInAsync(_server, "root", "admin", TwoStations.City);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _server.DisposeAsync();
    }

    HttpClient WithToken(string secret)
    {
        var http = new HttpClient { BaseAddress = new Uri(_server.Url) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return http;
    }

    [Fact]
    public async Task A_token_works_for_its_purpose_only_and_stops_at_once_when_revoked()
    {
        var issued = await (await _admin.PostAsJsonAsync("/api/tokens", new { name = "车载终端 01", purpose = "position_ingest", jurisdictionCode = TwoStations.Station1 }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var secret = issued.GetProperty("secret").GetString()!;
        using var device = WithToken(secret);

        var self = await device.GetFromJsonAsync<JsonElement>("/api/auth/token");
        var staffOnly = await device.GetAsync("/api/cameras");
        var listed = await _admin.GetStringAsync("/api/tokens");
        var revoke = await _admin.DeleteAsync($"/api/tokens/{issued.GetProperty("id").GetInt64()}");
        var afterRevoke = await device.GetAsync("/api/auth/token");

        Assert.Equal("position_ingest", self.GetProperty("purpose").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, staffOnly.StatusCode);
        Assert.DoesNotContain(secret, listed);
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, afterRevoke.StatusCode);
    }

    [Theory]
    [InlineData("gt_not-a-real-token-at-all")]
    [InlineData("Bearer-ish nonsense")]
    [InlineData("gt_' OR 1=1 --")]
    public async Task Unknown_or_malformed_tokens_get_401(string secret)
    {
        using var device = new HttpClient { BaseAddress = new Uri(_server.Url) };
        device.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"Bearer {secret}");

        Assert.Equal(HttpStatusCode.Unauthorized, (await device.GetAsync("/api/auth/token")).StatusCode);
    }

    [Theory]
    [InlineData("""{"username":"a b","displayName":"x","password":"long enough pass","role":"analyst","jurisdictionCode":"T-CITY"}""", "username")]
    [InlineData("""{"username":"ok","displayName":"x","password":"short","role":"analyst","jurisdictionCode":"T-CITY"}""", "password: must be at least 10 characters")]
    [InlineData("""{"username":"ok","displayName":"x","password":"long enough pass","role":"superuser","jurisdictionCode":"T-CITY"}""", "role: must be one of")]
    [InlineData("""{"username":"ok","displayName":"x","password":"long enough pass","role":"analyst","jurisdictionCode":"NOPE"}""", "no jurisdiction has code 'NOPE'")]
    [InlineData("""{"username":"ok","displayName":"x","password":"long enough pass","role":"analyst","jurisdictionCode":"'; DROP TABLE users; --"}""", "jurisdictionCode")]
    public async Task Bad_new_users_are_refused_naming_the_field(string body, string expected)
    {
        var response = await _admin.PostAsync("/api/users", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync());
        await using var users = _server.Database.DataSource.CreateCommand("SELECT count(*) FROM users");
        Assert.Equal(1L, await users.ExecuteScalarAsync()); // only the admin: nothing half-written
    }

    [Fact]
    public async Task A_taken_username_is_a_conflict_and_unknown_ids_are_404()
    {
        var body = new { username = "root", displayName = "again", password = "long enough pass", role = "analyst", jurisdictionCode = TwoStations.City };

        Assert.Equal(HttpStatusCode.Conflict, (await _admin.PostAsJsonAsync("/api/users", body)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.PatchAsJsonAsync("/api/users/999999", new { disabled = true })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.DeleteAsync("/api/tokens/999999")).StatusCode);
    }

    [Theory]
    [InlineData("/api/addresses?q=", "q: is required")]
    [InlineData("/api/addresses?q=x&limit=0", "limit: must be between 1 and 100")]
    [InlineData("/api/cameras?bbox=1,2,3", "bbox: must be four numbers")]
    [InlineData("/api/cameras?bbox=7.5,43,7.4,44", "bbox: west must be less than east")]
    [InlineData("/api/cameras?bbox=NaN,43,7.4,44", "bbox: 'NaN' is not a number")]
    [InlineData("/api/incidents?status=');DROP TABLE incidents;--", "status: must be one of")]
    public async Task Hostile_or_out_of_range_query_parameters_get_a_400_naming_them(string path, string expected)
    {
        var response = await _admin.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Injection_text_in_a_search_is_only_text()
    {
        var found = await _admin.GetFromJsonAsync<JsonElement>("/api/addresses?q=" + Uri.EscapeDataString("%'; DELETE FROM addresses; --"));
        var wildcard = await _admin.GetFromJsonAsync<JsonElement>("/api/addresses?q=%25");

        Assert.Equal(0, found.GetArrayLength());
        Assert.Equal(0, wildcard.GetArrayLength()); // '%' is a character here, not "everything"
        await using var count = _server.Database.DataSource.CreateCommand("SELECT count(*) FROM addresses");
        Assert.Equal(2L, await count.ExecuteScalarAsync());
    }
}
