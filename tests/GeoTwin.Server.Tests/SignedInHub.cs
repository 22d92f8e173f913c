using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace GeoTwin.Server.Tests;

/// <summary>A SignalR connection as the viewer opens one: a signed-in user's cookies, and the CSRF header on negotiation.</summary>
public static class SignedInHub
{
    /// <summary>Creates the user, signs in and builds (does not start) a connection to the hub at <paramref name="path"/>.</summary>
    public static async Task<HubConnection> BuildAsync(GeoTwinServer server, string user, string role, string jurisdiction, string path)
    {
        await Browser.CreateUserAsync(server, user, role, jurisdiction);
        var cookies = new CookieContainer();
        using (var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = new Uri(server.Url) })
            (await http.PostAsJsonAsync("/api/auth/login", new { username = user, password = Browser.Password })).EnsureSuccessStatusCode();
        // Negotiation is a cookie-authenticated POST: it carries the CSRF header like every other write.
        var csrf = cookies.GetCookies(new Uri(server.Url))["geotwin.csrf"]!.Value;
        return new HubConnectionBuilder().WithUrl(server.Url + path, o =>
        {
            o.Cookies = cookies;
            o.Headers["X-CSRF-Token"] = csrf;
        }).Build();
    }
}
