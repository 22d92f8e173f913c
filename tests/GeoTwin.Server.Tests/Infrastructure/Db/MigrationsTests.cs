using GeoTwin.Server.Infrastructure.Db;
using Npgsql;

namespace GeoTwin.Server.Tests.Infrastructure.Db;

[Collection("postgis")]
public sealed class MigrationsTests(PostgisFixture pg)
{
    [Fact]
    public async Task Every_migration_applies_once_and_never_again()
    {
        await using var db = await pg.CreateDataSourceAsync(migrated: false);

        var first = await Migrations.ApplyAsync(db, Migrations.Embedded);
        var second = await Migrations.ApplyAsync(db, Migrations.Embedded);

        Assert.Equal(Migrations.Embedded.Select(m => m.Name), first);
        Assert.Empty(second);
        Assert.Equal(Migrations.Embedded.Count, await Migrations.CountAppliedAsync(db, default));
    }

    [Fact]
    public async Task Migrations_are_ordered_by_file_name_and_create_the_extensions()
    {
        Assert.Equal(Migrations.Embedded.Select(m => m.Name).Order(StringComparer.Ordinal), Migrations.Embedded.Select(m => m.Name));
        await using var db = await pg.CreateDataSourceAsync();
        await using var cmd = db.CreateCommand("SELECT array_agg(extname ORDER BY extname) FROM pg_extension WHERE extname IN ('postgis', 'pgrouting', 'pg_trgm', 'ltree')");
        Assert.Equal(new[] { "ltree", "pg_trgm", "pgrouting", "postgis" }, (string[])(await cmd.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task A_failing_migration_rolls_back_and_names_the_file_and_reason()
    {
        await using var db = await pg.CreateDataSourceAsync();
        var broken = new Migration("9999_broken.sql", "CREATE TABLE should_vanish (a int);\nINSERT INTO no_such_table VALUES (1);");

        var e = await Assert.ThrowsAsync<MigrationFailedException>(() => Migrations.ApplyAsync(db, [.. Migrations.Embedded, broken]));

        Assert.Contains("9999_broken.sql", e.Message);
        Assert.Contains("relation \"no_such_table\" does not exist", e.Message);
        await using var vanished = db.CreateCommand("SELECT to_regclass('should_vanish') IS NULL");
        Assert.True((bool)(await vanished.ExecuteScalarAsync())!);
        await using var recorded = db.CreateCommand("SELECT count(*) FROM schema_migrations WHERE name = '9999_broken.sql'");
        Assert.Equal(0L, await recorded.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Nothing_after_a_failing_migration_is_applied()
    {
        await using var db = await pg.CreateDataSourceAsync(migrated: false);
        var broken = new Migration("0000_broken.sql", "SELECT 1/0;");

        await Assert.ThrowsAsync<MigrationFailedException>(() => Migrations.ApplyAsync(db, [broken, .. Migrations.Embedded]));

        // Nothing after the failure ran: the start stops at the broken file.
        Assert.Equal(0, await Migrations.CountAppliedAsync(db, default));
    }

    [Fact]
    public async Task Two_nodes_migrating_at_once_apply_each_file_exactly_once()
    {
        var cs = await pg.CreateDatabaseAsync(migrated: false);
        await using var a = Database.Build(cs);
        await using var b = Database.Build(cs);

        var results = await Task.WhenAll(Migrations.ApplyAsync(a, Migrations.Embedded), Migrations.ApplyAsync(b, Migrations.Embedded));

        Assert.Equal(Migrations.Embedded.Count, results.Sum(r => r.Count));
        await using var rows = a.CreateCommand("SELECT count(*) FROM schema_migrations");
        Assert.Equal((long)Migrations.Embedded.Count, await rows.ExecuteScalarAsync());
    }
}
