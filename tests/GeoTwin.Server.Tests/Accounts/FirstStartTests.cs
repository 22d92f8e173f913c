using GeoTwin.Server.Accounts;
using GeoTwin.Server.Infrastructure.Db;

namespace GeoTwin.Server.Tests.Accounts;

[Collection("postgis")]
public sealed class FirstStartTests(PostgisFixture pg)
{
    [Fact]
    public async Task An_empty_database_gets_one_admin_with_a_random_password_shown_once()
    {
        await using var db = await pg.CreateDataSourceAsync();
        var said = new List<string>();

        await FirstStart.EnsureAccountsAsync(db, demo: false, said.Add);
        await FirstStart.EnsureAccountsAsync(db, demo: false, said.Add);

        var line = Assert.Single(said);
        var password = System.Text.RegularExpressions.Regex.Match(line, "password (\\S+)").Groups[1].Value;
        Assert.True(password.Length >= 16);
        var admin = await new AccountsStore(db).FindForLoginAsync("admin", default);
        Assert.NotNull(admin);
        Assert.True(AccountsStore.VerifyPassword(admin.PasswordHash, password));
        Assert.DoesNotContain(password, admin.PasswordHash);
    }

    [Fact]
    public async Task The_demo_gets_one_documented_account_per_role_placed_in_the_tree()
    {
        await using var db = await pg.CreateDataSourceAsync();
        await TwoStations.SeedAsync(db);

        await FirstStart.EnsureAccountsAsync(db, demo: true, _ => { });

        var store = new AccountsStore(db);
        var users = await store.ListUsersAsync(default);
        Assert.Equal(GeoTwin.Server.Infrastructure.Auth.Roles.All.Order(), users.Select(u => u.Role).Distinct().Order());
        Assert.Equal(TwoStations.Station1, users.Single(u => u.Username == "officer").JurisdictionCode);
        Assert.Equal(TwoStations.Station2, users.Single(u => u.Username == "officer2").JurisdictionCode);
        Assert.Equal(TwoStations.City, users.Single(u => u.Username == "admin").JurisdictionCode);
        var officer = await store.FindForLoginAsync("officer", default);
        Assert.True(AccountsStore.VerifyPassword(officer!.PasswordHash, "demo-officer"));
        // the resident and the landlord live at the same address; the landlord owns its house; their demo declarations are there
        await using var linked = db.CreateCommand("SELECT count(*), count(DISTINCT address_id) FROM resident_addresses");
        await using (var r = await linked.ExecuteReaderAsync())
        {
            await r.ReadAsync();
            Assert.Equal((2L, 1L), (r.GetInt64(0), r.GetInt64(1)));
        }
        await using var landlords = db.CreateCommand("SELECT count(*) FROM house_landlords l JOIN users u ON u.id = l.user_id WHERE u.username = 'landlord'");
        Assert.Equal(1L, await landlords.ExecuteScalarAsync());
        await using var states = db.CreateCommand("SELECT count(DISTINCT status) FROM declarations");
        Assert.Equal(4L, await states.ExecuteScalarAsync());
    }
}
