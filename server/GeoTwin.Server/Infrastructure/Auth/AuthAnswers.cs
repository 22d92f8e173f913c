using GeoTwin.Server.Infrastructure.Errors;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;

namespace GeoTwin.Server.Infrastructure.Auth;

/// <summary>
/// A role, or a device token of one purpose: a person at the screen or an integration doing the same job
/// (admins or import tokens upload; dispatchers or intake tokens create incidents). A requirement rather than an
/// assertion so a refusal can say what would have been accepted.
/// </summary>
public sealed class RoleOrPurpose(IReadOnlyList<string> roles, string purpose) : AuthorizationHandler<RoleOrPurpose>, IAuthorizationRequirement
{
    public IReadOnlyList<string> Roles { get; } = roles;
    public string Purpose { get; } = purpose;

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, RoleOrPurpose requirement)
    {
        if (requirement.Roles.Any(context.User.IsInRole) || context.User.HasClaim(CurrentUser.PurposeClaim, requirement.Purpose))
            context.Succeed(requirement);
        return Task.CompletedTask;
    }
}

/// <summary>
/// 401 and 403 that say why, as problem+json: which token failed and how (unknown, revoked, expired, malformed),
/// or what the endpoint takes that the caller is not ("this token is for position_ingest, not import").
/// Cookie challenges stay with the cookie handler's events (AuthSetup), which already answer problem+json.
/// </summary>
public sealed class AuthAnswers : IAuthorizationMiddlewareResultHandler
{
    readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext http, AuthorizationPolicy policy, PolicyAuthorizationResult result)
    {
        var bearer = http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);
        var tokenOnly = policy.AuthenticationSchemes is [ApiTokenHandler.SchemeName];
        if (result.Challenged && (bearer || tokenOnly))
        {
            string detail;
            if (bearer)
            {
                var auth = await http.AuthenticateAsync(ApiTokenHandler.SchemeName);
                detail = auth.Failure?.Message ?? "the API token was not accepted";
                http.Response.Headers.WWWAuthenticate = $"Bearer error=\"invalid_token\"";
            }
            else
            {
                detail = $"this endpoint takes an API token{ForPurposes(policy.Requirements)}: send Authorization: Bearer {ApiTokenHandler.SecretPrefix}…";
                http.Response.Headers.WWWAuthenticate = "Bearer";
            }
            await ProblemWriter.WriteAsync(http, 401, detail, "Authorization", ct: http.RequestAborted);
            return;
        }
        if (result.Forbidden)
        {
            await ProblemWriter.WriteAsync(http, 403, WhyForbidden(http, result.AuthorizationFailure), ct: http.RequestAborted);
            return;
        }
        await _default.HandleAsync(next, http, policy, result);
    }

    static string ForPurposes(IEnumerable<IAuthorizationRequirement> requirements)
    {
        var purposes = Purposes(requirements).ToList();
        return purposes.Count == 0 ? "" : $" for {string.Join(" or ", purposes)}";
    }

    static IEnumerable<string> Purposes(IEnumerable<IAuthorizationRequirement> requirements) => requirements.SelectMany(r => r switch
    {
        ClaimsAuthorizationRequirement { ClaimType: CurrentUser.PurposeClaim, AllowedValues: { } values } => values,
        RoleOrPurpose rp => [rp.Purpose],
        _ => [],
    }).Distinct();

    static IEnumerable<string> RolesOf(IEnumerable<IAuthorizationRequirement> requirements) => requirements.SelectMany(r => r switch
    {
        RolesAuthorizationRequirement roles => roles.AllowedRoles,
        RoleOrPurpose rp => rp.Roles,
        _ => [],
    }).Distinct();

    static string WhyForbidden(HttpContext http, AuthorizationFailure? failure)
    {
        var failed = failure?.FailedRequirements.ToList() ?? [];
        var roles = RolesOf(failed).ToList();
        var purposes = Purposes(failed).ToList();
        var takes = string.Join(", or ", new[]
        {
            roles.Count > 0 ? $"a signed-in {string.Join(", ", roles)}" : null,
            purposes.Count > 0 ? $"a {string.Join(" or ", purposes)} token" : null,
        }.OfType<string>());
        var what = takes.Length > 0 ? $": this endpoint takes {takes}" : "";
        if (http.User.FindFirst(CurrentUser.PurposeClaim)?.Value is { } purpose)
            return purposes.Count > 0
                ? $"this token is for {purpose}, not {string.Join(" or ", purposes)}{what}"
                : $"this token is for {purpose}; API tokens may not use this{what}";
        var role = http.User.FindFirst(System.Security.Claims.ClaimTypes.Role)?.Value ?? "none";
        return $"your role ({role}) may not use this{what}";
    }
}
