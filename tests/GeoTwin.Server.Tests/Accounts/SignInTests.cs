using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace GeoTwin.Server.Tests.Accounts;

[Collection("postgis")]
public sealed class SignInTests(PostgisFixture pg) : IAsyncLifetime
{
    GeoTwinServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await pg.StartServerAsync(new() { ["GeoTwin:Auth:LoginAttemptsPerMinute"] = "30" });
        await TwoStations.SeedAsync(_server.Database.DataSource);
        await Browser.CreateUserAsync(_server, "officer", "community_officer", TwoStations.Station1);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Signing_in_sets_a_locked_down_session_cookie_and_me_says_who_and_where()
    {
        using var http = Browser.Anonymous(_server);
        var response = await http.PostAsJsonAsync("/api/auth/login", new { username = "officer", password = Browser.Password });
        var me = await http.GetFromJsonAsync<JsonElement>("/api/auth/me");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cookies = response.Headers.GetValues("Set-Cookie").ToList();
        var session = Assert.Single(cookies, c => c.StartsWith("geotwin.auth="));
        Assert.Contains("httponly", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(cookies, c => c.StartsWith("geotwin.csrf="));
        Assert.Equal("community_officer", me.GetProperty("role").GetString());
        Assert.Equal("社区民警", me.GetProperty("roleTitleZh").GetString());
        Assert.Equal(TwoStations.Station1, me.GetProperty("jurisdiction").GetProperty("code").GetString());
        Assert.True(me.GetProperty("readsPersonalData").GetBoolean());
    }

    [Theory]
    [InlineData("officer", "wrong password!")]
    [InlineData("nobody-here", "correct horse battery")]
    [InlineData("' OR '1'='1' --", "' OR '1'='1' --")]
    public async Task A_wrong_name_or_password_gets_the_same_401(string username, string password)
    {
        using var http = Browser.Anonymous(_server);
        var response = await http.PostAsJsonAsync("/api/auth/login", new { username, password });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("wrong username or password", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("""{"username":"","password":"x"}""", "username: is required")]
    [InlineData("""{"username":"officer"}""", "password: is required")]
    [InlineData("""{"username":"officer\u0000","password":"x"}""", "username: contains control characters")]
    public async Task Malformed_sign_in_bodies_say_which_field_is_wrong(string body, string expected)
    {
        using var http = Browser.Anonymous(_server);
        var response = await http.PostAsync("/api/auth/login", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_oversized_or_broken_body_is_refused_with_4xx()
    {
        using var http = Browser.Anonymous(_server);
        var huge = await http.PostAsync("/api/auth/login", new StringContent($$"""{"username":"{{new string('a', 2_000_000)}}","password":"x"}""", System.Text.Encoding.UTF8, "application/json"));
        var broken = await http.PostAsync("/api/auth/login", new StringContent("{\"username\":", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
    }

    [Fact]
    public async Task Five_failed_sign_ins_lock_the_account_even_against_the_right_password()
    {
        using var http = Browser.Anonymous(_server);
        for (var i = 0; i < 5; i++)
            await http.PostAsJsonAsync("/api/auth/login", new { username = "officer", password = $"guess {i}" });

        var right = await http.PostAsJsonAsync("/api/auth/login", new { username = "officer", password = Browser.Password });

        Assert.Equal((HttpStatusCode)423, right.StatusCode);
        Assert.Contains("locked until", await right.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Logging_out_ends_the_session()
    {
        using var http = await Browser.SignInAsync(_server, "officer", Browser.Password);
        var logout = await http.PostAsync("/api/auth/logout", null);
        var me = await http.GetAsync("/api/auth/me");

        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
    }

    [Fact]
    public async Task A_cookie_write_without_the_CSRF_header_is_refused()
    {
        // A plain cookie-keeping client: what a page on another site could make a browser send.
        var cookies = new CookieContainer();
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = new Uri(_server.Url) };
        await http.PostAsJsonAsync("/api/auth/login", new { username = "officer", password = Browser.Password });

        var forged = await http.PostAsync("/api/auth/logout", null);
        using var honest = new HttpRequestMessage(HttpMethod.Post, "/api/auth/logout");
        honest.Headers.Add("X-CSRF-Token", cookies.GetCookies(new Uri(_server.Url))["geotwin.csrf"]!.Value);
        var stillSignedIn = await http.GetAsync("/api/auth/me");
        var withToken = await http.SendAsync(honest);

        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Contains("X-CSRF-Token", await forged.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, stillSignedIn.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, withToken.StatusCode);
    }

    [Fact]
    public async Task A_session_cookie_changed_by_one_character_is_refused_while_the_real_one_works()
    {
        var cookies = new CookieContainer();
        using (var signIn = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = new Uri(_server.Url) })
            await signIn.PostAsJsonAsync("/api/auth/login", new { username = "officer", password = Browser.Password });
        var real = cookies.GetCookies(new Uri(_server.Url))["geotwin.auth"]!.Value;
        var i = real.Length / 2;
        var tampered = real[..i] + (real[i] == 'A' ? 'B' : 'A') + real[(i + 1)..];
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = new Uri(_server.Url) };

        async Task<HttpStatusCode> MeWith(string cookie)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
            request.Headers.Add("Cookie", $"geotwin.auth={cookie}");
            return (await http.SendAsync(request)).StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await MeWith(real));
        Assert.Equal(HttpStatusCode.OK, await MeWith(real)); // the second time from the remembered ticket
        Assert.Equal(HttpStatusCode.Unauthorized, await MeWith(tampered));
        Assert.Equal(HttpStatusCode.Unauthorized, await MeWith(real + "x"));
        Assert.Equal(HttpStatusCode.OK, await MeWith(real));
    }

    [Fact]
    public async Task Disabling_an_account_ends_its_session_at_once()
    {
        using var officer = await Browser.SignInAsync(_server, "officer", Browser.Password);
        using var admin = await Browser.SignedInAsync(_server, "root", "admin", TwoStations.City);
        var id = (await admin.GetFromJsonAsync<JsonElement>("/api/users")).EnumerateArray()
            .First(u => u.GetProperty("username").GetString() == "officer").GetProperty("id").GetInt64();

        var before = await officer.GetAsync("/api/auth/me"); // its cookie's ticket is now remembered decrypted
        var disable = await admin.PatchAsJsonAsync($"/api/users/{id}", new { disabled = true });
        var me = await officer.GetAsync("/api/auth/me");

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, disable.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
    }

    [Fact]
    public async Task Sign_in_attempts_are_throttled_per_address()
    {
        await using var strict = await pg.StartServerAsync(new() { ["GeoTwin:Auth:LoginAttemptsPerMinute"] = "3" });
        using var http = Browser.Anonymous(strict);
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
            codes.Add((await http.PostAsJsonAsync("/api/auth/login", new { username = "x", password = "y" })).StatusCode);

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized,
            HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], codes);
    }

    [Fact]
    public async Task Responses_carry_the_security_headers_and_a_CSP_without_foreign_hosts()
    {
        using var http = Browser.Anonymous(_server);
        var response = await http.GetAsync("/healthz");

        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'self'", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("http", csp);
        Assert.DoesNotContain("'unsafe-eval'", csp); // only WebAssembly compilation is allowed
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
    }
}
