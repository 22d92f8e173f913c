using System.Security.Cryptography;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;
using Npgsql;

namespace GeoTwin.Server.Accounts;

/// <summary>
/// A database with no users gets its first admin with a random password, shown once; the demo gets one
/// documented account per role instead (README), which is why demo mode listens on 127.0.0.1 only.
/// </summary>
public static class FirstStart
{
    public sealed record DemoAccount(string Username, string Role, string DisplayName, string Place)
    {
        public string Password => $"demo-{Username}";
    }

    /// <summary>Place: "root" = the city bureau; "station1"/"station2" = the first and second station by code.</summary>
    public static readonly IReadOnlyList<DemoAccount> DemoAccounts =
    [
        new("admin", Roles.Admin, "系统管理员", "root"),
        new("commander", Roles.Commander, "指挥长", "root"),
        new("dispatcher", Roles.Dispatcher, "调度员", "root"),
        new("analyst", Roles.Analyst, "研判分析员", "root"),
        new("planner", Roles.Planner, "规划员", "root"),
        new("officer", Roles.CommunityOfficer, "社区民警", "station1"),
        new("officer2", Roles.CommunityOfficer, "社区民警（二所）", "station2"),
        new("resident", Roles.Resident, "居民", "station1"),
        new("landlord", Roles.Resident, "房东", "station1"),
    ];

    public static async Task EnsureAccountsAsync(NpgsqlDataSource db, bool demo, Action<string> say, CancellationToken ct = default)
    {
        try
        {
            await CreateFirstAccountsAsync(db, demo, say, ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.TableName == "users")
        {
            // Several nodes started together on an empty database: another one is creating them (its log shows the password).
            say("another GeoTwin node created the first accounts at the same moment; see its log");
        }
    }

    static async Task CreateFirstAccountsAsync(NpgsqlDataSource db, bool demo, Action<string> say, CancellationToken ct)
    {
        await using (var any = db.Sql("Accounts/any_user.sql"))
            if ((bool)(await any.ExecuteScalarAsync(ct))!) return;
        var store = new AccountsStore(db);
        if (demo)
        {
            await CreateDemoAccountsAsync(db, store, ct);
            say($"demo accounts (password demo-<name>): {string.Join(", ", DemoAccounts.Select(a => a.Username))}");
            return;
        }
        await using (var root = db.Sql("Accounts/ensure_root_jurisdiction.sql")) await root.ExecuteNonQueryAsync(ct);
        var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(15)).Replace('/', '_').Replace('+', '-');
        await store.CreateUserAsync("admin", "系统管理员", password, Roles.Admin, await RootCodeAsync(db, ct), ct);
        say($"first start: created user 'admin' with password {password} (shown only this once; change it after signing in)");
    }

    static async Task CreateDemoAccountsAsync(NpgsqlDataSource db, AccountsStore store, CancellationToken ct)
    {
        var stations = await db.Sql("Accounts/stations.sql").ListAsync(r => r.GetString(0), ct);
        var root = await RootCodeAsync(db, ct);
        foreach (var account in DemoAccounts)
        {
            var place = account.Place switch
            {
                "station1" when stations.Count > 0 => stations[0],
                "station2" when stations.Count > 1 => stations[1],
                _ => root,
            };
            var id = await store.CreateUserAsync(account.Username, account.DisplayName, account.Password, account.Role, place, ct);
            if (account.Role == Roles.Resident && id is not null)
            {
                await using var link = db.Sql("Accounts/link_resident.sql", id.Value, place, account.Username == "landlord", account.DisplayName);
                await link.ExecuteNonQueryAsync(ct);
            }
        }
        await Addresses.Registration.DemoRegistrations.WriteAsync(db, ct);
    }

    static async Task<string> RootCodeAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var cmd = db.Sql("Accounts/root_code.sql");
        return (string)(await cmd.ExecuteScalarAsync(ct))!;
    }
}
