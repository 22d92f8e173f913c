using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GeoTwin.Server.Infrastructure.Db;
using Microsoft.Extensions.DependencyInjection;

namespace GeoTwin.Server.Tests.Accounts;

/// <summary>
/// A session cookie names a server-side session (user_sessions): ending it (sign-out, account disabled) refuses every
/// copy of the cookie. Notifications are heard 300 ms late here, as over a slow link, so a refusal on the very next
/// request shows the write fence at work, not luck.
/// </summary>
[Collection("postgis")]
public sealed class SessionRevocationTests(PostgisFixture pg) : IAsyncLifetime
{
    GeoTwinServer _server = null!;

    DataVersions Versions => _server.App.Services.GetRequiredService<DataVersions>();

    public async Task InitializeAsync()
    {
        _server = await pg.StartServerAsync(new() { ["GeoTwin:Db:TestHearingDelayMs"] = "300" });
        await TwoStations.SeedAsync(_server.Database.DataSource);
        await Browser.CreateUserAsync(_server, "officer", "community_officer", TwoStations.Station1);
        var sw = Stopwatch.StartNew();
        while (!Versions.Listening)
        {
            if (sw.Elapsed > TimeSpan.FromSeconds(20)) throw new TimeoutException("the versions listener did not start");
            await Task.Delay(10);
        }
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>A signed-in browser, and its session cookie's value as someone copying it would have it.</summary>
    sealed class Session(HttpClient client, CookieContainer cookies, Uri at) : IDisposable
    {
        public HttpClient Client => client;
        public string Cookie => cookies.GetCookies(at)["geotwin.auth"]!.Value;

        public Task<HttpResponseMessage> SignOutAsync()
        {
            var logout = new HttpRequestMessage(HttpMethod.Post, "/api/auth/logout");
            logout.Headers.Add("X-CSRF-Token", cookies.GetCookies(at)["geotwin.csrf"]!.Value);
            return client.SendAsync(logout);
        }

        public void Dispose() => client.Dispose();
    }

    async Task<Session> SignInAsync(string user = "officer")
    {
        var cookies = new CookieContainer();
        var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = new Uri(_server.Url) };
        var login = await client.PostAsJsonAsync("/api/auth/login", new { username = user, password = Browser.Password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        return new Session(client, cookies, new Uri(_server.Url));
    }

    /// <summary>The copied cookie replayed from elsewhere: no cookie jar, no CSRF cookie, only the session.</summary>
    async Task<HttpStatusCode> ReplayAsync(string cookie, string path = "/api/auth/me")
    {
        using var http = new HttpClient { BaseAddress = new Uri(_server.Url) };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", $"geotwin.auth={cookie}");
        return (await http.SendAsync(request)).StatusCode;
    }

    async Task<long> OfficerIdAsync()
    {
        await using var cmd = _server.Database.DataSource.CreateCommand("SELECT id FROM users WHERE username = 'officer'");
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task A_cookie_copied_before_sign_out_gets_401_on_the_next_request()
    {
        using var browser = await SignInAsync();
        var copied = browser.Cookie;
        var before = await ReplayAsync(copied);

        var signedOut = await browser.SignOutAsync();
        var replayed = await ReplayAsync(copied); // no wait: the sign-out answered after this server heard it
        var replayedTile = await ReplayAsync(copied, "/tiles/houses.json");

        Assert.Equal(HttpStatusCode.OK, before);
        Assert.Equal(HttpStatusCode.NoContent, signedOut.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, replayed);
        Assert.Equal(HttpStatusCode.Unauthorized, replayedTile);
        await using var row = _server.Database.DataSource.CreateCommand("SELECT ended_why FROM user_sessions WHERE ended_at IS NOT NULL");
        Assert.Equal("signed_out", await row.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Signing_out_ends_that_session_only()
    {
        using var phone = await SignInAsync();
        using var desk = await SignInAsync();
        var phoneCookie = phone.Cookie;

        var signedOut = await phone.SignOutAsync();

        Assert.Equal(HttpStatusCode.NoContent, signedOut.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await ReplayAsync(phoneCookie));
        Assert.Equal(HttpStatusCode.OK, (await desk.Client.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, await ReplayAsync(desk.Cookie));
    }

    [Fact]
    public async Task Disabling_an_account_ends_its_sessions_and_enabling_it_again_does_not_revive_them()
    {
        using var officer = await SignInAsync();
        var copied = officer.Cookie;
        using var admin = await Browser.SignedInAsync(_server, "root", "admin", TwoStations.City);
        var id = await OfficerIdAsync();
        var before = await ReplayAsync(copied);

        var disable = await admin.PatchAsJsonAsync($"/api/users/{id}", new { disabled = true });
        var whileDisabled = await ReplayAsync(copied);
        var enable = await admin.PatchAsJsonAsync($"/api/users/{id}", new { disabled = false });
        var afterEnable = await ReplayAsync(copied);
        using var fresh = await SignInAsync();

        Assert.Equal(HttpStatusCode.OK, before);
        Assert.Equal(HttpStatusCode.NoContent, disable.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, whileDisabled);
        Assert.Equal(HttpStatusCode.NoContent, enable.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, afterEnable);
        Assert.Equal(HttpStatusCode.OK, (await fresh.Client.GetAsync("/api/auth/me")).StatusCode);
    }

    [Fact]
    public async Task A_session_ended_outside_this_server_is_refused_once_its_notification_is_heard()
    {
        using var officer = await SignInAsync();
        var copied = officer.Cookie;
        var before = await ReplayAsync(copied);

        // What another node's sign-out (or psql) does: only the notification tells this server.
        await using (var end = _server.Database.DataSource.CreateCommand(
            "UPDATE user_sessions SET ended_at = now(), ended_why = 'signed_out' WHERE ended_at IS NULL"))
            await end.ExecuteNonQueryAsync();
        await Versions.FenceAsync(); // returns once this server heard every commit made before it

        Assert.Equal(HttpStatusCode.OK, before);
        Assert.Equal(HttpStatusCode.Unauthorized, await ReplayAsync(copied));
    }

    [Fact]
    public async Task A_known_session_reads_no_session_row_while_nothing_changed()
    {
        using var officer = await SignInAsync();
        await Versions.FenceAsync(); // the sign-in's own version bumps heard
        var first = await officer.Client.GetAsync("/api/auth/me");
        await using var conn = await _server.Database.DataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var lockSessions = new Npgsql.NpgsqlCommand("LOCK TABLE user_sessions IN ACCESS EXCLUSIVE MODE", conn, tx))
            await lockSessions.ExecuteNonQueryAsync();

        // Any read of user_sessions now waits for this transaction: the request must not make one.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var again = await officer.Client.GetAsync("/api/auth/me", timeout.Token);
        await tx.RollbackAsync();

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("officer", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("username").GetString());
    }
}
