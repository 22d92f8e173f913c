using GeoTwin.DataImport.Demo;
using GeoTwin.Server.Accounts;
using GeoTwin.Server.Infrastructure.Db;

namespace GeoTwin.Server;

/// <summary>
/// The verbs of the single binary. Options map onto configuration keys, so the same setting can come
/// from a flag, an environment variable (GEOTWIN_*) or appsettings.json, in that order of precedence.
/// </summary>
public static class Cli
{
    const string Usage = """
        usage: geotwin <verb> [options]
          serve     run the server (default)
          migrate   start the database, apply migrations, stop
          demo      load the demo jurisdiction into an empty database, stop
          import    load a file into a layer (geotwin import --help lists the options)
          tiles     3D tilesets: build houses, register a folder or archive, convert OSGB (geotwin tiles --help)
          simulate units [--url URL]  drive the units along the roads through a running server's ingest API
          simulate platform [--port N] [--rate CALLS_PER_HOUR]  play a call-handling platform serving new incidents
          db        run a private PostgreSQL on its own (--data DIR --pg-port N), migrated, for several nodes to share
          replica   run a streaming replica of it (--primary CONNECTION --data DIR --pg-port N): pg_basebackup -R, hot standby
          help      this text
        options:
          --port N      HTTP port (GEOTWIN_PORT, default 8080; 0 picks a free one)
          --bind ADDR   listen address (GEOTWIN_BIND, default 127.0.0.1)
          --data DIR    data directory of the private database (GEOTWIN_DATA, default .geotwin)
          --demo        load the demo jurisdiction if the database is empty
          --pg-port N   loopback port of the PostgreSQL that db and replica run (default: a free one)
          --primary CS  connection string of the primary a replica copies and follows (its superuser)
          --imagery DIR folder of XYZ tile folders and .mbtiles base imagery (GEOTWIN_IMAGERY, default DATA/imagery)
        environment:
          GEOTWIN_DB       connection string of an existing PostGIS database (no private cluster then)
          GEOTWIN_DB_READ  connection string of a streaming replica of it: tiles and hot spots read there while it keeps up
          GEOTWIN_PG_USER  account that runs the private PostgreSQL when GeoTwin runs as root (default postgres)
          GEOTWIN_REDIS    Redis for the SignalR backplane when several nodes serve together
        """;

    static readonly Dictionary<string, string> EnvironmentKeys = new()
    {
        ["GEOTWIN_PORT"] = "GeoTwin:Port",
        ["GEOTWIN_BIND"] = "GeoTwin:Bind",
        ["GEOTWIN_DATA"] = "GeoTwin:DataDirectory",
        ["GEOTWIN_PG_USER"] = "GeoTwin:PostgresUser",
        ["GEOTWIN_DB"] = "ConnectionStrings:GeoTwin",
        ["GEOTWIN_DB_READ"] = "ConnectionStrings:GeoTwinRead",
        ["GEOTWIN_REDIS"] = "ConnectionStrings:Redis",
        ["GEOTWIN_IMAGERY"] = "GeoTwin:Imagery:Folder",
    };

    static readonly Dictionary<string, string> FlagKeys = new()
    {
        ["--port"] = "GeoTwin:Port",
        ["--bind"] = "GeoTwin:Bind",
        ["--data"] = "GeoTwin:DataDirectory",
        ["--imagery"] = "GeoTwin:Imagery:Folder",
        ["--pg-port"] = "GeoTwin:Db:Port",
        ["--primary"] = "GeoTwin:Db:Primary",
    };

    public static void Say(string line) => Console.Error.WriteLine($"geotwin: {line}");

    public static async Task<int> RunAsync(string[] args)
    {
        var verb = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "serve";
        var rest = args.Length > 0 && !args[0].StartsWith('-') ? args[1..] : args;
        try
        {
            if (verb == "import") return await Import.ImportCommand.RunAsync(rest);
            if (verb == "tiles") return await Twin3d.TilesCommand.RunAsync(rest);
            if (verb == "simulate") return await Live.SimulateCommand.RunAsync(rest);
            var settings = ParseSettings(rest);
            switch (verb)
            {
                case "serve": return await ServeAsync(settings);
                case "db": return await DatabaseCommand.RunAsync(settings, replica: false);
                case "replica": return await DatabaseCommand.RunAsync(settings, replica: true);
                case "migrate": return await WithDatabaseAsync(settings, _ => Task.FromResult(0));
                case "demo":
                    return await WithDatabaseAsync(settings, async db =>
                    {
                        Say(await DemoConsole.LoadAsync(db.DataSource) is { } facts
                            ? $"demo jurisdiction loaded: {facts}"
                            : "the database already has data; nothing loaded");
                        return 0;
                    });
                case "help" or "--help" or "-h":
                    Console.WriteLine(Usage);
                    return 0;
                default:
                    throw new UsageException($"unknown verb '{verb}'");
            }
        }
        catch (UsageException e)
        {
            Say($"error: {e.Message}");
            Console.Error.WriteLine(Usage);
            return 64;
        }
        catch (Exception e) when (e is StartupException or MigrationFailedException)
        {
            Say($"error: {e.Message}");
            return 2;
        }
    }

    /// <summary>Flags and GEOTWIN_* variables as configuration keys; flags win.</summary>
    public static Dictionary<string, string?> ParseSettings(string[] args)
    {
        var settings = new Dictionary<string, string?>();
        foreach (var (variable, key) in EnvironmentKeys)
        {
            var value = Environment.GetEnvironmentVariable(variable);
            if (!string.IsNullOrEmpty(value)) settings[key] = value;
        }
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg == "--demo") { settings["GeoTwin:Demo"] = "true"; continue; }
            if (!FlagKeys.TryGetValue(arg, out var key)) throw new UsageException($"unknown option '{arg}'");
            if (i + 1 >= args.Length) throw new UsageException($"option {arg} needs a value");
            settings[key] = args[++i];
        }
        return settings;
    }

    static async Task<int> ServeAsync(Dictionary<string, string?> settings)
    {
        var demo = settings.GetValueOrDefault("GeoTwin:Demo") == "true";
        if (demo && settings.GetValueOrDefault("GeoTwin:Bind") is { } bind && bind != "127.0.0.1")
            throw new StartupException($"demo mode listens on 127.0.0.1 only, because its accounts have published passwords: drop --demo to bind {bind}");
        if (demo && Environment.GetEnvironmentVariable("GeoTwin__Jt808__Port") is null)
        {
            // The demo's cars report over JT/T 808 to a gateway on a free port, on this machine only (as the web port).
            settings.TryAdd("GeoTwin:Jt808:Port", "0");
            settings.TryAdd("GeoTwin:Jt808:Address", "127.0.0.1");
        }
        await using var server = await Program.BuildAsync([], settings);
        if (demo && await DemoJurisdiction.LoadIfEmptyAsync(server.Database.DataSource))
        {
            Say("loaded the demo jurisdiction into the empty database");
            await server.App.Services.GetRequiredService<Warnings.WarningLevels>().CatchUpAsync(server.Database.DataSource);
        }
        await FirstStart.EnsureAccountsAsync(server.Database.DataSource, demo, Say);
        await Twin3d.HousesTileset.EnsureCurrentAsync(server.App.Services, demo);
        await server.App.StartAsync();
        Say($"GeoTwin is running at {server.Url}/ (Ctrl-C stops it and its database)");
        if (demo) Say("sign in as admin / demo-admin (every demo account: README.md)");
        await server.App.WaitForShutdownAsync();
        return 0;
    }

    static async Task<int> WithDatabaseAsync(Dictionary<string, string?> settings, Func<Database, Task<int>> work)
    {
        var config = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddInMemoryCollection(settings)
            .Build();
        await using var database = await Database.OpenAsync(config, Say);
        Say($"database ready, {Migrations.Embedded.Count} migrations applied");
        return await work(database);
    }

    sealed class UsageException(string message) : Exception(message);
}
