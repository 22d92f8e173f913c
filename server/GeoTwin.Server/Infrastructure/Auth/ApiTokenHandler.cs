using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using GeoTwin.Server.Infrastructure.Db;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GeoTwin.Server.Infrastructure.Auth;

/// <summary>
/// Bearer tokens for devices and integrations. Looked up on every request (by SHA-256 of the secret,
/// never the secret itself), so a revoked token stops working at once.
/// </summary>
public sealed class ApiTokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, NpgsqlDataSource db)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";
    public const string SecretPrefix = "gt_";

    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        var secret = header["Bearer ".Length..].Trim();
        if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal) || secret.Length > 100)
            return AuthenticateResult.Fail($"the bearer token is malformed: a GeoTwin API token starts with {SecretPrefix} and is at most 100 characters");

        await using var cmd = db.CreateCommand(EmbeddedSql.Get("Infrastructure/Auth/find_token.sql"));
        cmd.Parameters.Add(new() { Value = Hash(secret) });
        await using var reader = await cmd.ExecuteReaderAsync(Context.RequestAborted);
        if (!await reader.ReadAsync(Context.RequestAborted))
            return AuthenticateResult.Fail("the API token is unknown: no token has this secret (mistyped, or never issued here)");
        // Revoked and expired tokens are found so the answer can say which; the secret was right, so saying is no leak.
        if (!reader.GetBoolean(6))
            return AuthenticateResult.Fail(reader.IsDBNull(4)
                ? $"the API token '{reader.GetString(1)}' expired at {reader.GetFieldValue<DateTime>(5):yyyy-MM-dd HH:mm} UTC: ask an admin for a new one"
                : $"the API token '{reader.GetString(1)}' was revoked at {reader.GetFieldValue<DateTime>(4):yyyy-MM-dd HH:mm} UTC");

        var identity = new ClaimsIdentity(
        [
            new Claim(CurrentUser.TokenIdClaim, reader.GetInt64(0).ToString()),
            new Claim(ClaimTypes.Name, $"token:{reader.GetString(1)}"),
            new Claim(CurrentUser.PurposeClaim, reader.GetString(2)),
            new Claim(CurrentUser.JurisdictionPathClaim, reader.GetString(3)),
            new Claim(ClaimTypes.Role, CurrentUser.TokenRole),
        ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}
