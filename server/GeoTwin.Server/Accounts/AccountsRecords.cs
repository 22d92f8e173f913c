namespace GeoTwin.Server.Accounts;

public sealed record LoginRequest(string? Username, string? Password);
public sealed record JurisdictionRef(long Id, string Code, string Name, string? NameEn, string Path);
public sealed record Me(long Id, string Username, string DisplayName, string Role, string RoleTitleZh, string RoleTitleEn,
    bool ReadsPersonalData, JurisdictionRef Jurisdiction);

public sealed record UserSummary(long Id, string Username, string DisplayName, string Role, string JurisdictionCode,
    bool Disabled, DateTime? LockedUntil, DateTime? LastLoginAt);
public sealed record NewUser(string? Username, string? DisplayName, string? Password, string? Role, string? JurisdictionCode);
public sealed record UserChange(string? DisplayName, string? Password, string? Role, string? JurisdictionCode, bool? Disabled, bool? Unlock);

public sealed record TokenSummary(long Id, string Name, string Purpose, string JurisdictionCode, DateTime CreatedAt,
    DateTime? ExpiresAt, DateTime? RevokedAt, DateTime? LastUsedAt);
public sealed record NewToken(string? Name, string? Purpose, string? JurisdictionCode, int? ExpiresInDays);
/// <summary>The secret is shown this once; GeoTwin keeps only its hash.</summary>
public sealed record IssuedToken(long Id, string Name, string Purpose, string Secret);

public sealed record TokenIdentity(string Name, string Purpose, string JurisdictionPath);

public sealed record AuditRow(long Id, DateTime At, string? Username, string Action, string? Endpoint, string? RemoteAddr,
    string? RecordKind, string[] RecordIds, System.Text.Json.JsonElement? Details);

/// <summary>A stored account as sign-in needs it.</summary>
public sealed record LoginCandidate(long Id, string Username, string PasswordHash, string Role, string JurisdictionPath,
    bool Disabled, int FailedLogins, DateTime? LockedUntil);
