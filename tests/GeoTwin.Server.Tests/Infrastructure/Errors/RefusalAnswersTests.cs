using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace GeoTwin.Server.Tests.Infrastructure.Errors;

/// <summary>The wording of the answers the garbage test only checks for a name: what a caller reads when refused.</summary>
[Collection("postgis")]
public sealed class RefusalAnswersTests(PostgisFixture pg) : IAsyncLifetime
{
    GeoTwinServer _server = null!;
    HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _server = await pg.StartServerAsync();
        await TwoStations.SeedAsync(_server.Database.DataSource);
        _admin = await Browser.SignedInAsync(_server, "refusal-admin", "admin", TwoStations.City);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _server.DisposeAsync();
    }

    static async Task<string> DetailOf(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString()!;
    }

    [Theory]
    [InlineData("/api/incidents?limit=abc", "limit: 'abc' is not a whole number")]
    [InlineData("/api/units/nearest?lon=1&lat=1&k=2147483648", "k: '2147483648' is not a whole number")]
    [InlineData("/api/units/1/track?from=garbage", "from: 'garbage' is not a date and time")]
    [InlineData("/api/units/1/track?toleranceM=NaN", "toleranceM: 'NaN' is not a finite number")]
    [InlineData("/api/houses/abc", "id: 'abc' is not a whole number")]
    [InlineData("/api/incidents/INC-1/recommendations?capability=%27%20OR%201%3D1", "capability: no unit you may see has '' OR 1=1'")]
    public async Task A_bad_parameter_is_named_with_its_value_and_what_was_expected(string url, string expected)
    {
        var detail = await DetailOf(await _admin.GetAsync(url), url.StartsWith("/api/houses") ? HttpStatusCode.NotFound : HttpStatusCode.BadRequest);
        Assert.StartsWith(expected, detail);
    }

    [Fact]
    public async Task Mistyped_and_malformed_json_name_the_field_and_a_wrong_method_type_or_length_say_so()
    {
        var mistyped = await _admin.PostAsync("/api/incidents", new StringContent("""{"category":"theft","location":{"lon":"east","lat":1}}""", Encoding.UTF8, "application/json"));
        var malformed = await _admin.PostAsync("/api/incidents", new StringContent("""{"category":""", Encoding.UTF8, "application/json"));
        var notJson = await _admin.PostAsync("/api/incidents", new StringContent("category=theft", Encoding.UTF8, "text/plain"));
        var method = await _admin.DeleteAsync("/api/incidents");
        var longUrl = await _admin.GetAsync("/api/addresses?q=" + new string('a', 20_000));

        Assert.StartsWith("location.lon: is not a number", await DetailOf(mistyped, HttpStatusCode.BadRequest));
        Assert.Contains("is not valid JSON", await DetailOf(malformed, HttpStatusCode.BadRequest)); // named by where it broke off
        Assert.StartsWith("Content-Type: 'text/plain; charset=utf-8' is not", await DetailOf(notJson, HttpStatusCode.UnsupportedMediaType));
        Assert.Contains("method: DELETE is not allowed", await DetailOf(method, HttpStatusCode.MethodNotAllowed));
        Assert.StartsWith("url: the address is", await DetailOf(longUrl, HttpStatusCode.RequestUriTooLong));
    }

    HttpClient WithToken(string secret)
    {
        var http = Browser.Anonymous(_server);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return http;
    }

    async Task<(long Id, string Secret)> IssueAsync(string name, string purpose)
    {
        var issued = await (await _admin.PostAsJsonAsync("/api/tokens", new { name, purpose, jurisdictionCode = TwoStations.Station1 }))
            .Content.ReadFromJsonAsync<JsonElement>();
        return (issued.GetProperty("id").GetInt64(), issued.GetProperty("secret").GetString()!);
    }

    [Fact]
    public async Task Token_refusals_say_why()
    {
        var (_, ingest) = await IssueAsync("ingest-1", "position_ingest");
        var (revokedId, revoked) = await IssueAsync("revoked-1", "import");
        var (expiredId, expired) = await IssueAsync("expired-1", "import");
        await _admin.DeleteAsync($"/api/tokens/{revokedId}");
        await using (var cmd = _server.Database.DataSource.CreateCommand($"UPDATE api_tokens SET expires_at = now() - interval '1 hour' WHERE id = {expiredId}"))
            await cmd.ExecuteNonQueryAsync();
        using var ingestClient = WithToken(ingest);
        using var revokedClient = WithToken(revoked);
        using var expiredClient = WithToken(expired);
        using var unknownClient = WithToken("gt_no-such-token");

        var wrongPurpose = await ingestClient.GetAsync("/api/imports/1");
        var staffOnly = await ingestClient.GetAsync("/api/cameras");
        var cookieOnTokenEndpoint = await _admin.PostAsync("/api/positions", new StringContent("[]", Encoding.UTF8, "application/json"));

        Assert.StartsWith("this token is for position_ingest, not import", await DetailOf(wrongPurpose, HttpStatusCode.Forbidden));
        Assert.StartsWith("this token is for position_ingest", await DetailOf(staffOnly, HttpStatusCode.Forbidden));
        Assert.Contains("was revoked at", await DetailOf(await revokedClient.GetAsync("/api/imports/1"), HttpStatusCode.Unauthorized));
        Assert.Contains("expired at", await DetailOf(await expiredClient.GetAsync("/api/imports/1"), HttpStatusCode.Unauthorized));
        Assert.Contains("is unknown", await DetailOf(await unknownClient.GetAsync("/api/imports/1"), HttpStatusCode.Unauthorized));
        Assert.Contains("takes an API token for position_ingest", await DetailOf(cookieOnTokenEndpoint, HttpStatusCode.Unauthorized));
        var admin = await _admin.GetAsync("/api/cameras");
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
    }

    [Fact]
    public async Task A_forbidden_role_is_told_what_the_endpoint_takes()
    {
        using var planner = await Browser.SignedInAsync(_server, "refusal-planner", "planner", TwoStations.Station1);
        var detail = await DetailOf(await planner.GetAsync("/api/users"), HttpStatusCode.Forbidden);
        Assert.Equal("your role (planner) may not use this: this endpoint takes a signed-in admin", detail);
    }

    [Fact]
    public async Task A_refusal_from_a_sql_step_function_is_answered_with_its_message()
    {
        // change_unit_status raises GT422 for a transition its rules forbid; RefusalHandler answers it.
        await using var cmd = _server.Database.DataSource.CreateCommand("SELECT id FROM police_units ORDER BY id LIMIT 1");
        var unit = (long)(await cmd.ExecuteScalarAsync())!;
        var response = await _admin.PostAsJsonAsync($"/api/units/{unit}/status", new { status = "available", expected = "on_scene" });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode is 409 or 422, text);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(string.IsNullOrWhiteSpace(JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString()));
    }
}
