using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using GeoTwin.Server.Infrastructure.Db;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.RateLimiting;
using Npgsql;

namespace GeoTwin.Server.Infrastructure.Auth;

/// <summary>
/// Cookie sign-in for people, bearer tokens for devices, one policy per endpoint group, nothing open by
/// default, and the hardening around them: throttling, security headers, CSRF for cookie writes.
/// </summary>
public static class AuthSetup
{
    public const string CookieName = "geotwin.auth";
    public const string CsrfCookie = "geotwin.csrf";
    public const string CsrfHeader = "X-CSRF-Token";
    public const string LoginLimit = "login";
    public const string PublicLimit = "public";
    const string SelectScheme = "GeoTwin";

    /// <summary>
    /// CesiumJS needs its same-origin workers and WebAssembly (draco, basis), nothing else: no eval,
    /// no CDN, no inline scripts, no foreign hosts. The browser tests fail on any CSP violation.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; " +
        "img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static WebApplicationBuilder AddAuth(this WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        builder.Services.AddSingleton<ScopedDb>();
        builder.Services.AddSingleton<SessionChecks>();
        builder.Services.AddAuthentication(SelectScheme)
            .AddPolicyScheme(SelectScheme, SelectScheme, o => o.ForwardDefaultSelector = ctx =>
                ctx.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? ApiTokenHandler.SchemeName
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenHandler>(ApiTokenHandler.SchemeName, null)
            .AddCookie(o =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                // Secure whenever the request is HTTPS; the loopback demo is plain HTTP.
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(config.GetValue("GeoTwin:Auth:SessionHours", 12));
                o.SlidingExpiration = true;
                // An API answers 401/403; the viewer shows its own sign-in page.
                o.Events.OnRedirectToLogin = ctx => Problem(ctx.HttpContext, 401, "sign in first: POST /api/auth/login");
                o.Events.OnRedirectToAccessDenied = ctx => Problem(ctx.HttpContext, 403, "your role may not use this");
                o.Events.OnValidatePrincipal = RevalidateAsync;
            });
        // After the cookie handler's own post-configuration, which creates the ticket format this wraps.
        builder.Services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .PostConfigure<TimeProvider>((o, clock) => o.TicketDataFormat = new RememberedTickets(o.TicketDataFormat, clock));

        builder.Services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, AuthAnswers>();
        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicies();

        var loginPerMinute = config.GetValue("GeoTwin:Auth:LoginAttemptsPerMinute", 10);
        var publicPerMinute = config.GetValue("GeoTwin:Auth:PublicRequestsPerMinute", 600);
        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (ctx, _) => new ValueTask(Problem(ctx.HttpContext, 429, "too many requests from your address: wait a minute and try again"));
            o.AddPolicy(LoginLimit, ctx => PerAddress(ctx, loginPerMinute));
            o.AddPolicy(PublicLimit, ctx => PerAddress(ctx, publicPerMinute));
        });
        return builder;
    }

    static void AddPolicies(this AuthorizationBuilder auth)
    {
        foreach (var (policy, roles) in Policies.RolesOf)
            auth.AddPolicy(policy, p => p.RequireAuthenticatedUser().RequireRole(roles));
        auth.AddPolicy(Policies.AnyToken, p => p.AddAuthenticationSchemes(ApiTokenHandler.SchemeName)
            .RequireAuthenticatedUser().RequireClaim(CurrentUser.PurposeClaim));
        foreach (var purpose in Policies.TokenPurposes)
            auth.AddPolicy($"token:{purpose}", p => p.AddAuthenticationSchemes(ApiTokenHandler.SchemeName)
                .RequireAuthenticatedUser().RequireClaim(CurrentUser.PurposeClaim, purpose));
    }

    static RateLimitPartition<string> PerAddress(HttpContext ctx, int perMinute) =>
        RateLimitPartition.GetFixedWindowLimiter(ctx.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });

    /// <summary>
    /// A disabled, deleted or changed account, or an ended session (signed out, account disabled), loses its
    /// cookie on the next request, copies of the cookie included. The answer is kept until the users, sessions or
    /// tree data version moves (DataVersions), so a steady session costs no database round trip while the versions
    /// are heard in memory (one version lookup, shared with the endpoint, while they are not). A change through
    /// this server is heard before its response leaves (the write fence); one made elsewhere (the CLI, psql,
    /// another node) as soon as its notification arrives. Opening a session moves no version (migration 0051).
    /// </summary>
    static async Task RevalidateAsync(CookieValidatePrincipalContext ctx)
    {
        var services = ctx.HttpContext.RequestServices;
        var versions = services.GetRequiredService<DataVersions>();
        var checks = services.GetRequiredService<SessionChecks>();
        var id = long.TryParse(ctx.Principal?.FindFirstValue(ClaimTypes.NameIdentifier), out var userId) ? userId : -1;
        var role = ctx.Principal?.FindFirstValue(ClaimTypes.Role) ?? "";
        var path = ctx.Principal?.FindFirstValue(CurrentUser.JurisdictionPathClaim) ?? "";
        // A cookie from before sessions were kept names none: it matches no row and is refused (sign in again).
        var sessionId = Guid.TryParse(ctx.Principal?.FindFirstValue(CurrentUser.SessionClaim), out var sid) ? sid : Guid.Empty;
        var session = (id, role, path, sessionId);
        var version = await versions.OfAsync(ctx.HttpContext, SessionTables, ctx.HttpContext.RequestAborted);
        if (checks.TryGetValue(session, out var validAt) && validAt == version) return;

        var db = services.GetRequiredService<NpgsqlDataSource>();
        await using var cmd = db.Sql("Infrastructure/Auth/session_still_valid.sql", id, role, path, sessionId);
        if (await cmd.ExecuteScalarAsync(ctx.HttpContext.RequestAborted) is true)
        {
            // A crude bound, as RememberedTickets: past it every session checks once more rather than track age.
            if (checks.Count >= SessionChecks.Capacity) checks.Clear();
            checks[session] = version;
            return;
        }
        checks.TryRemove(session, out _);
        ctx.RejectPrincipal();
        await ctx.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }

    static readonly string[] SessionTables = ["users", "user_sessions", "jurisdictions"];

    /// <summary>Sessions found valid, with the data version they were checked at.</summary>
    sealed class SessionChecks : System.Collections.Concurrent.ConcurrentDictionary<(long, string, string, Guid), string>
    {
        public const int Capacity = 100_000;
    }

    /// <summary>
    /// The security headers on every answer: static files too (index.html at "/", the bundle), which are served
    /// before <see cref="UseSecurity"/>. Without this "/" ran without a CSP while every deep link had one, so a
    /// CSP violation in the viewer showed only on deep links (#19).
    /// </summary>
    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        // the configured video platform's media server is the one foreign origin the page may reach (Coverage/Video)
        var policy = app.Services.GetService<Coverage.Video.VideoPlatform>()?.ContentSecurityPolicy(ContentSecurityPolicy) ?? ContentSecurityPolicy;
        app.Use(async (ctx, next) =>
        {
            var h = ctx.Response.Headers;
            h.ContentSecurityPolicy = policy;
            h.XContentTypeOptions = "nosniff";
            h.XFrameOptions = "DENY";
            h["Referrer-Policy"] = "no-referrer";
            h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(self)";
            h["Cross-Origin-Opener-Policy"] = "same-origin";
            await next();
        });
        return app;
    }

    public static WebApplication UseSecurity(this WebApplication app)
    {
        app.UseWriteFence();
        app.UseAuthentication();
        app.Use(RequireCsrfTokenForCookieWrites);
        app.UseRateLimiter();
        app.UseAuthorization();
        return app;
    }

    /// <summary>
    /// Double-submit check: a cookie-authenticated write must echo the geotwin.csrf cookie in a header,
    /// which a page on another origin cannot read. Bearer-token calls carry no ambient credentials.
    /// </summary>
    static async Task RequireCsrfTokenForCookieWrites(HttpContext ctx, RequestDelegate next)
    {
        var method = ctx.Request.Method;
        var safe = HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method);
        var cookieSession = ctx.Request.Cookies.ContainsKey(CookieName) &&
                            !ctx.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);
        if (!safe && cookieSession && ctx.Request.Path != "/api/auth/login")
        {
            var expected = ctx.Request.Cookies[CsrfCookie] ?? "";
            var sent = ctx.Request.Headers[CsrfHeader].ToString();
            if (expected.Length == 0 || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(sent)))
            {
                await Problem(ctx, 403, $"missing or wrong {CsrfHeader} header: send the value of the {CsrfCookie} cookie with every write");
                return;
            }
        }
        await next(ctx);
    }

    public static void IssueCsrfCookie(HttpContext ctx) =>
        ctx.Response.Cookies.Append(CsrfCookie, Convert.ToHexString(RandomNumberGenerator.GetBytes(16)),
            new CookieOptions { HttpOnly = false, SameSite = SameSiteMode.Strict, Secure = ctx.Request.IsHttps, Path = "/" });

    public static Task Problem(HttpContext ctx, int status, string detail)
    {
        ctx.Response.StatusCode = status;
        return ctx.Response.WriteAsJsonAsync(new { status, title = ReasonPhrases.Of(status), detail }, options: null, contentType: "application/problem+json");
    }

    static class ReasonPhrases
    {
        public static string Of(int status) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);
    }
}
