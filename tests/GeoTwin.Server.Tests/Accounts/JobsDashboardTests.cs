using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace GeoTwin.Server.Tests.Accounts;

/// <summary>
/// The Hangfire dashboard at /jobs works whole for admins (its page and the statistics poll it posts every few seconds,
/// sent as its own script sends them), and answers problem+json 401/403 to everyone else.
/// </summary>
[Collection("postgis")]
public sealed partial class JobsDashboardTests(PostgisFixture pg) : IAsyncLifetime
{
    GeoTwinServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await pg.StartServerAsync();
        await TwoStations.SeedAsync(_server.Database.DataSource);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [GeneratedRegex("""<meta name="csrf-header" content="([^"]+)"\s*/?>\s*<meta name="csrf-token" content="([^"]+)"\s*/?>""")]
    private static partial Regex CsrfMeta();

    /// <summary>
    /// A plain cookie-keeping client (not the test Browser, which adds GeoTwin's CSRF header by itself): the page is
    /// fetched, then the poll is posted with only what hangfire.js sends: the header its page names, jQuery's
    /// X-Requested-With, and the form body.
    /// </summary>
    async Task<(HttpStatusCode Page, string Html, HttpResponseMessage Stats)> OpenDashboardAsync(string username, string role)
    {
        await Browser.CreateUserAsync(_server, username, role, TwoStations.City);
        var cookies = new CookieContainer();
        var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = new Uri(_server.Url) };
        var login = await http.PostAsync("/api/auth/login", JsonContent(username));
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);

        var page = await http.GetAsync("/jobs");
        var html = await page.Content.ReadAsStringAsync();
        using var poll = new HttpRequestMessage(HttpMethod.Post, "/jobs/stats")
        {
            Content = new FormUrlEncodedContent([new("metrics[]", "succeeded:count"), new("metrics[]", "failed:count")]),
        };
        poll.Headers.Add("X-Requested-With", "XMLHttpRequest");
        if (CsrfMeta().Match(html) is { Success: true } meta) poll.Headers.Add(WebUtility.HtmlDecode(meta.Groups[1].Value), WebUtility.HtmlDecode(meta.Groups[2].Value));
        // No page to take it from (refused): send GeoTwin's own header, so the role check, not CSRF, is what answers.
        else poll.Headers.Add("X-CSRF-Token", cookies.GetCookies(new Uri(_server.Url))["geotwin.csrf"]!.Value);
        return (page.StatusCode, html, await http.SendAsync(poll));
    }

    static StringContent JsonContent(string username) =>
        new($$"""{"username":"{{username}}","password":"{{Browser.Password}}"}""", System.Text.Encoding.UTF8, "application/json");

    [Fact]
    public async Task An_admin_gets_the_page_and_its_statistics_poll()
    {
        var (page, html, stats) = await OpenDashboardAsync("root", "admin");

        Assert.Equal(HttpStatusCode.OK, page);
        Assert.Contains("GeoTwin jobs", html);
        Assert.Matches(CsrfMeta(), html);
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        var metrics = JsonDocument.Parse(await stats.Content.ReadAsStringAsync()).RootElement;
        Assert.True(metrics.TryGetProperty("succeeded:count", out _), metrics.ToString());
    }

    [Fact]
    public async Task A_statistics_poll_without_the_pages_CSRF_header_is_refused()
    {
        await Browser.CreateUserAsync(_server, "root", "admin", TwoStations.City);
        var cookies = new CookieContainer();
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = new Uri(_server.Url) };
        await http.PostAsync("/api/auth/login", JsonContent("root"));

        var forged = await http.PostAsync("/jobs/stats", new FormUrlEncodedContent([new("metrics[]", "succeeded:count")]));

        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Contains("X-CSRF-Token", await forged.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("commander")]
    [InlineData("analyst")]
    public async Task Other_roles_get_403_problems_for_the_page_and_the_poll(string role)
    {
        var (page, html, stats) = await OpenDashboardAsync(role, role);

        Assert.Equal(HttpStatusCode.Forbidden, page);
        Assert.Contains("only an admin may use the jobs dashboard", html);
        Assert.Equal(HttpStatusCode.Forbidden, stats.StatusCode);
        Assert.Equal("application/problem+json", stats.Content.Headers.ContentType?.MediaType);
        Assert.Contains("only an admin may use the jobs dashboard", await stats.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Without_sign_in_the_dashboard_answers_a_401_problem()
    {
        using var http = Browser.Anonymous(_server);
        var page = await http.GetAsync("/jobs");

        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
        Assert.Equal("application/problem+json", page.Content.Headers.ContentType?.MediaType);
    }
}
