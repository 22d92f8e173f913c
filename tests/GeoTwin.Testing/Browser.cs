using System.Net;
using System.Net.Http.Json;
using GeoTwin.Server;
using GeoTwin.Server.Accounts;

namespace GeoTwin.Testing;

/// <summary>An HTTP client that behaves like the viewer: keeps cookies and echoes the CSRF cookie on writes.</summary>
public static class Browser
{
    public const string Password = "correct horse battery";

    public static HttpClient Anonymous(GeoTwinServer server) => Make(server, new CookieContainer());

    public static async Task<long> CreateUserAsync(GeoTwinServer server, string username, string role, string jurisdictionCode)
    {
        var id = await new AccountsStore(server.Database.DataSource).CreateUserAsync(username, username, Password, role, jurisdictionCode, default);
        return id ?? throw new InvalidOperationException($"no jurisdiction {jurisdictionCode}");
    }

    /// <summary>Creates the user if needed and signs in.</summary>
    public static async Task<HttpClient> SignedInAsync(GeoTwinServer server, string username, string role, string jurisdictionCode)
    {
        await CreateUserAsync(server, username, role, jurisdictionCode);
        return await SignInAsync(server, username, Password);
    }

    public static async Task<HttpClient> SignInAsync(GeoTwinServer server, string username, string password)
    {
        var client = Anonymous(server);
        var response = await client.PostAsJsonAsync("/api/auth/login", new { username, password });
        if (response.StatusCode != HttpStatusCode.OK)
            throw new InvalidOperationException($"sign-in of {username} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return client;
    }

    static HttpClient Make(GeoTwinServer server, CookieContainer cookies) =>
        new(new CsrfEcho(cookies) { InnerHandler = new HttpClientHandler { CookieContainer = cookies, UseCookies = true } })
        {
            BaseAddress = new Uri(server.Url),
        };

    sealed class CsrfEcho(CookieContainer cookies) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            if (request.Method != HttpMethod.Get && cookies.GetCookies(request.RequestUri!)["geotwin.csrf"] is { } csrf)
                request.Headers.TryAddWithoutValidation("X-CSRF-Token", csrf.Value);
            return base.SendAsync(request, ct);
        }
    }
}
