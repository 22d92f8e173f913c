using System.Security.Claims;

namespace GeoTwin.Server.Infrastructure.Auth;

/// <summary>Who is asking: a signed-in person or a device token, with their place in the jurisdiction tree.</summary>
public sealed record CurrentUser(long? UserId, long? TokenId, string Name, string Role, string JurisdictionPath)
{
    public const string JurisdictionPathClaim = "geotwin:jurisdiction_path";
    public const string TokenIdClaim = "geotwin:token_id";
    public const string PurposeClaim = "geotwin:purpose";
    /// <summary>The user_sessions row a session cookie belongs to: ending the row ends every copy of the cookie.</summary>
    public const string SessionClaim = "geotwin:session";
    public const string TokenRole = "device";

    public bool ReadsPersonalData => UserId is not null && Roles.ReadPersonalData.Contains(Role);

    /// <summary>The value of geotwin.scope for this caller: '*' for everything, else an ltree path.</summary>
    public string Scope => Roles.SeesEverything(Role) ? "*" : JurisdictionPath;

    public static CurrentUser From(ClaimsPrincipal principal)
    {
        if (principal.Identity?.IsAuthenticated != true) throw new InvalidOperationException("no signed-in caller");
        var tokenId = principal.FindFirstValue(TokenIdClaim);
        return new CurrentUser(
            tokenId is null ? long.Parse(principal.FindFirstValue(ClaimTypes.NameIdentifier)!) : null,
            tokenId is null ? null : long.Parse(tokenId),
            principal.Identity.Name ?? "",
            principal.FindFirstValue(ClaimTypes.Role) ?? "",
            principal.FindFirstValue(JurisdictionPathClaim) ?? "");
    }
}
