using System.Security.Claims;
using GeoTwin.Server.Infrastructure.Auth;
using Microsoft.AspNetCore.Authentication;

namespace GeoTwin.Server.Tests.Accounts;

public sealed class RememberedTicketsTests
{
    sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>Knows one cookie value and counts how often it was asked to decrypt.</summary>
    sealed class Format : ISecureDataFormat<AuthenticationTicket>
    {
        public int Unprotects;
        public string Protect(AuthenticationTicket data) => "good";
        public string Protect(AuthenticationTicket data, string? purpose) => "good";
        public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, null);
        public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
        {
            Unprotects++;
            if (protectedText != "good") return null;
            var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "officer")], "Cookies"));
            return new AuthenticationTicket(principal, new AuthenticationProperties { ExpiresUtc = new DateTimeOffset(2026, 11, 23, 20, 0, 0, TimeSpan.Zero) }, "Cookies");
        }
    }

    [Fact]
    public void A_cookie_value_is_decrypted_once_and_each_request_gets_its_own_copy()
    {
        var inner = new Format();
        var tickets = new RememberedTickets(inner, new Clock());

        var first = tickets.Unprotect("good")!;
        first.Properties.ExpiresUtc = DateTimeOffset.MaxValue; // as a sliding refresh would
        first.Principal.Identities.First().AddClaim(new Claim("extra", "1"));
        var second = tickets.Unprotect("good")!;

        Assert.Equal(1, inner.Unprotects);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 20, 0, 0, TimeSpan.Zero), second.Properties.ExpiresUtc);
        Assert.Null(second.Principal.FindFirst("extra"));
        Assert.Equal("officer", second.Principal.Identity!.Name);
    }

    [Fact]
    public void A_value_that_does_not_decrypt_is_never_remembered_and_an_entry_ages_out()
    {
        var inner = new Format();
        var clock = new Clock();
        var tickets = new RememberedTickets(inner, clock);

        Assert.Null(tickets.Unprotect("forged"));
        Assert.Null(tickets.Unprotect("forged"));
        Assert.Equal(2, inner.Unprotects);
        tickets.Unprotect("good");
        clock.Now += TimeSpan.FromMinutes(6);
        tickets.Unprotect("good");
        Assert.Equal(4, inner.Unprotects);
        Assert.Null(tickets.Unprotect(null));
    }
}
