using System.Security.Claims;
using System.Text.Json;
using System.Text.RegularExpressions;
using GeoTwin.Server.Infrastructure.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace GeoTwin.Server.Accounts;

/// <summary>Sign-in for people; users, API tokens and the audit log for admins.</summary>
public static partial class AccountsEndpoints
{
    public static WebApplicationBuilder AddAccounts(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AccountsStore>();
        return builder;
    }

    public static WebApplication MapAccountsEndpoints(this WebApplication app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Accounts");
        auth.MapPost("/login", LoginAsync).AllowAnonymous().RequireRateLimiting(AuthSetup.LoginLimit)
            .WithName("Login").WithSummary("Sign in with {username, password}; sets the session and CSRF cookies.");
        auth.MapPost("/logout", LogoutAsync).RequireAuthorization(Policies.SignedIn).WithName("Logout");
        auth.MapGet("/me", MeAsync).RequireAuthorization(Policies.SignedIn).WithName("Me").WithSummary("The signed-in person.");
        auth.MapGet("/token", (ClaimsPrincipal user) => TypedResults.Ok(new TokenIdentity(user.Identity!.Name!,
                user.FindFirstValue(CurrentUser.PurposeClaim)!, user.FindFirstValue(CurrentUser.JurisdictionPathClaim)!)))
            .RequireAuthorization(Policies.AnyToken).WithName("TokenSelf").WithSummary("Which token this is: for checking a device's set-up.");

        var admin = app.MapGroup("/api").WithTags("Administration").RequireAuthorization(Policies.Admin);
        admin.MapGet("/users", (AccountsStore s, CancellationToken ct) => s.ListUsersAsync(ct)).WithName("ListUsers");
        admin.MapPost("/users", CreateUserAsync).WithName("CreateUser");
        admin.MapPatch("/users/{id:long}", ChangeUserAsync).WithName("ChangeUser");
        admin.MapGet("/tokens", (AccountsStore s, CancellationToken ct) => s.ListTokensAsync(ct)).WithName("ListTokens");
        admin.MapPost("/tokens", CreateTokenAsync).WithName("CreateToken").WithSummary("Issue an API token; its secret is shown once.");
        admin.MapDelete("/tokens/{id:long}", RevokeTokenAsync).WithName("RevokeToken");
        admin.MapGet("/audit", SearchAuditAsync).WithName("SearchAudit").WithSummary("Who read or changed what, newest first.");
        return app;
    }

    const int FailedLoginLimit = 5;
    const int LockMinutes = 15;

    static async Task<Results<Ok<Me>, ProblemHttpResult>> LoginAsync(LoginRequest request, HttpContext http, AccountsStore store, CancellationToken ct)
    {
        if (Problems.CheckText(request.Username, 64) is { } u) return Problems.BadRequest("username", u);
        if (string.IsNullOrEmpty(request.Password)) return Problems.BadRequest("password", "is required");
        if (request.Password.Length > 200) return Problems.BadRequest("password", "is longer than 200 characters");

        var candidate = await store.FindForLoginAsync(request.Username!, ct);
        // One answer for an unknown name and a wrong password, so names cannot be probed.
        var wrong = TypedResults.Problem(statusCode: 401, title: "Unauthorized", detail: "wrong username or password");
        if (candidate is null || candidate.Disabled) return wrong;
        if (candidate.LockedUntil > DateTime.UtcNow)
            return TypedResults.Problem(statusCode: 423, title: "Locked",
                detail: $"this account is locked until {candidate.LockedUntil:HH:mm} UTC after {FailedLoginLimit} failed sign-ins; an admin can unlock it");
        if (!AccountsStore.VerifyPassword(candidate.PasswordHash, request.Password))
        {
            await store.RecordFailedLoginAsync(candidate.Id, FailedLoginLimit, LockMinutes, ct);
            return wrong;
        }

        var from = http.Connection.RemoteIpAddress is { IsIPv4MappedToIPv6: true } mapped ? mapped.MapToIPv4() : http.Connection.RemoteIpAddress;
        var session = await store.RecordLoginAsync(candidate.Id, from, ct);
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, candidate.Id.ToString()),
            new Claim(ClaimTypes.Name, candidate.Username),
            new Claim(ClaimTypes.Role, candidate.Role),
            new Claim(CurrentUser.JurisdictionPathClaim, candidate.JurisdictionPath),
            new Claim(CurrentUser.SessionClaim, session.ToString("D")),
        ], CookieAuthenticationDefaults.AuthenticationScheme);
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        AuthSetup.IssueCsrfCookie(http);
        return TypedResults.Ok((await store.MeAsync(candidate.Id, ct))!);
    }

    /// <summary>
    /// Ends the server-side session, not only the browser's cookie: a copy of the cookie (another tab, a proxy log,
    /// a stolen one) is refused from the next request on, here at once (the write fence) and on other nodes as soon
    /// as they hear the sessions' data version move.
    /// </summary>
    static async Task<NoContent> LogoutAsync(HttpContext http, ClaimsPrincipal user, AccountsStore store, CancellationToken ct)
    {
        if (Guid.TryParse(user.FindFirstValue(CurrentUser.SessionClaim), out var session) && CurrentUser.From(user).UserId is { } id)
            await store.EndSessionAsync(session, id, ct);
        await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        http.Response.Cookies.Delete(AuthSetup.CsrfCookie);
        return TypedResults.NoContent();
    }

    static async Task<Results<Ok<Me>, ProblemHttpResult>> MeAsync(ClaimsPrincipal user, AccountsStore store, CancellationToken ct)
    {
        var id = CurrentUser.From(user).UserId;
        return id is not null && await store.MeAsync(id.Value, ct) is { } me
            ? TypedResults.Ok(me)
            : TypedResults.Problem(statusCode: 403, detail: "API tokens have no account; sign in as a person");
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]{2,64}$")]
    private static partial Regex UsernamePattern();

    [GeneratedRegex("^[a-z][a-z_.]{0,39}$")]
    private static partial Regex AuditCode();

    static string? CheckPassword(string? password) => password switch
    {
        null or "" => "is required",
        { Length: < 10 } => "must be at least 10 characters",
        { Length: > 200 } => "is longer than 200 characters",
        _ => null,
    };

    static async Task<Results<Created<UserSummary>, ProblemHttpResult>> CreateUserAsync(NewUser user, HttpContext http, AccountsStore store, NpgsqlDataSource db, CancellationToken ct)
    {
        if (user.Username is null || !UsernamePattern().IsMatch(user.Username))
            return Problems.BadRequest("username", "must be 2-64 letters, digits, '.', '_' or '-'");
        if (Problems.CheckText(user.DisplayName, 100) is { } d) return Problems.BadRequest("displayName", d);
        if (CheckPassword(user.Password) is { } p) return Problems.BadRequest("password", p);
        if (user.Role is null || !Roles.All.Contains(user.Role)) return Problems.BadRequest("role", $"must be one of {string.Join(", ", Roles.All)}");
        if (Problems.CheckText(user.JurisdictionCode, 40) is { } j) return Problems.BadRequest("jurisdictionCode", j);
        try
        {
            var id = await store.CreateUserAsync(user.Username, user.DisplayName!, user.Password!, user.Role, user.JurisdictionCode!, ct);
            if (id is null) return Problems.BadRequest("jurisdictionCode", $"no jurisdiction has code '{user.JurisdictionCode}'");
            await Audit.RecordAsync(db, http, "user.create", "user", id.Value.ToString(), JsonSerializer.Serialize(new { user.Username, user.Role, user.JurisdictionCode }), ct);
            var created = (await store.ListUsersAsync(ct)).First(u => u.Id == id);
            return TypedResults.Created($"/api/users/{id}", created);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return Problems.Conflict($"username '{user.Username}' is taken");
        }
    }

    static async Task<Results<NoContent, ProblemHttpResult>> ChangeUserAsync(long id, UserChange change, HttpContext http, AccountsStore store, NpgsqlDataSource db, CancellationToken ct)
    {
        if (change.DisplayName is not null && Problems.CheckText(change.DisplayName, 100) is { } d) return Problems.BadRequest("displayName", d);
        if (change.Password is not null && CheckPassword(change.Password) is { } p) return Problems.BadRequest("password", p);
        if (change.Role is not null && !Roles.All.Contains(change.Role)) return Problems.BadRequest("role", $"must be one of {string.Join(", ", Roles.All)}");
        if (change.JurisdictionCode is not null && Problems.CheckText(change.JurisdictionCode, 40) is { } j) return Problems.BadRequest("jurisdictionCode", j);
        if (!await store.ChangeUserAsync(id, change, ct)) return Problems.NotFound($"no user has id {id}");
        await Audit.RecordAsync(db, http, "user.change", "user", id.ToString(),
            JsonSerializer.Serialize(new { change.Role, change.JurisdictionCode, change.Disabled, change.Unlock, PasswordChanged = change.Password is not null }), ct);
        return TypedResults.NoContent();
    }

    static async Task<Results<Created<IssuedToken>, ProblemHttpResult>> CreateTokenAsync(NewToken token, ClaimsPrincipal user, HttpContext http, AccountsStore store, NpgsqlDataSource db, CancellationToken ct)
    {
        if (Problems.CheckText(token.Name, 100) is { } n) return Problems.BadRequest("name", n);
        if (token.Purpose is null || !Policies.TokenPurposes.Contains(token.Purpose))
            return Problems.BadRequest("purpose", $"must be one of {string.Join(", ", Policies.TokenPurposes)}");
        if (Problems.CheckText(token.JurisdictionCode, 40) is { } j) return Problems.BadRequest("jurisdictionCode", j);
        if (token.ExpiresInDays is < 1 or > 3650) return Problems.BadRequest("expiresInDays", "must be between 1 and 3650");
        var issued = await store.CreateTokenAsync(token.Name!, token.Purpose, token.JurisdictionCode!, CurrentUser.From(user).UserId, token.ExpiresInDays, ct);
        if (issued is null) return Problems.BadRequest("jurisdictionCode", $"no jurisdiction has code '{token.JurisdictionCode}'");
        await Audit.RecordAsync(db, http, "token.create", "api_token", issued.Id.ToString(), JsonSerializer.Serialize(new { token.Name, token.Purpose, token.JurisdictionCode }), ct);
        return TypedResults.Created($"/api/tokens/{issued.Id}", issued);
    }

    static async Task<Results<NoContent, ProblemHttpResult>> RevokeTokenAsync(long id, ClaimsPrincipal user, HttpContext http, AccountsStore store, NpgsqlDataSource db, CancellationToken ct)
    {
        if (!await store.RevokeTokenAsync(id, CurrentUser.From(user).UserId, ct)) return Problems.NotFound($"no API token has id {id}");
        await Audit.RecordAsync(db, http, "token.revoke", "api_token", id.ToString(), null, ct);
        return TypedResults.NoContent();
    }

    static async Task<Results<Ok<List<AuditRow>>, ProblemHttpResult>> SearchAuditAsync(AccountsStore store, CancellationToken ct,
        string? user = null, string? action = null, string? recordKind = null, string? recordId = null,
        DateTimeOffset? from = null, DateTimeOffset? to = null, int limit = 100)
    {
        foreach (var (field, value) in new[] { ("user", user), ("action", action), ("recordKind", recordKind), ("recordId", recordId) })
            if (Problems.CheckText(value, 100, required: false) is { } reason) return Problems.BadRequest(field, reason);
        // Actions and record kinds are codes ("user.create", "person"): anything else cannot match, so say so instead of [].
        foreach (var (field, value) in new[] { ("action", action), ("recordKind", recordKind) })
            if (value is not null && !AuditCode().IsMatch(value)) return Problems.BadRequest(field, $"'{value}' is not a code (lower-case letters, '.' and '_', e.g. user.create)");
        if (limit is < 1 or > 1000) return Problems.BadRequest("limit", "must be between 1 and 1000");
        return TypedResults.Ok(await store.SearchAuditAsync(user, action, recordKind, recordId, from?.UtcDateTime, to?.UtcDateTime, limit, ct));
    }
}
