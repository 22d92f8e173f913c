using GeoTwin.DataImport.Reading;
using GeoTwin.Server.Infrastructure.Db;
using Spectre.Console;

namespace GeoTwin.Server.Twin3d;

/// <summary>
/// `geotwin tiles ...`: the houses build, hosting a folder or archive, OSGB conversion, run in this process against the
/// database and tileset folder the server uses, with a progress bar on a terminal. Exit 0 done, 1 refused, 64 bad usage.
/// </summary>
public static class TilesCommand
{
    public const string Usage = """
        usage: geotwin tiles <command> [options]
          build houses                      rebuild the houses tileset from the database
          register PATH --name N            host a 3D Tiles 1.0/1.1 folder, .zip or .3tz as given
          convert-osgb FOLDER --name N      convert a ContextCapture OSGB export (metadata.xml + Data/) to 3D Tiles
        options:
          --name N          the tileset's name in its URL /3dtiles/N/tileset.json (a-z 0-9 - _)
          --title T         what the viewer lists it as
          --outside-ok      publish even when its bounding volume is outside the jurisdiction (or not georeferenced)
          --data DIR        data directory (tilesets are kept in DIR/tilesets; GeoTwin:Twin3d:Directory overrides)
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        string? command = null, target = null, name = null, title = null;
        var outsideOk = false;
        var rest = new List<string>();
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"option {args[i]} needs a value");
                switch (args[i])
                {
                    case "--help" or "-h": Console.WriteLine(Usage); return 0;
                    case "--name": name = Value(); break;
                    case "--title": title = Value(); break;
                    case "--outside-ok": outsideOk = true; break;
                    case var a when !a.StartsWith('-') && command is null: command = a; break;
                    case var a when !a.StartsWith('-') && target is null: target = a; break;
                    case var a when a.StartsWith("--") && i + 1 < args.Length: rest.Add(a); rest.Add(args[++i]); break;
                    default: throw new ArgumentException($"unknown option '{args[i]}'");
                }
            }
            if (command is null) throw new ArgumentException("which command? build, register or convert-osgb");
            if (command == "build" && target != "houses") throw new ArgumentException("tiles build takes 'houses'");
            if (command is "register" or "convert-osgb" && (target is null || name is null)) throw new ArgumentException($"tiles {command} needs a path and --name");
            if (command is not ("build" or "register" or "convert-osgb")) throw new ArgumentException($"unknown tiles command '{command}'");
        }
        catch (ArgumentException e)
        {
            Cli.Say($"error: {e.Message}");
            Console.Error.WriteLine(Usage);
            return 64;
        }

        var config = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddInMemoryCollection(Cli.ParseSettings([.. rest]))
            .Build();
        try
        {
            await using var database = await Database.OpenAsync(config, Cli.Say);
            var store = new Twin3dStore(database.DataSource, TilesetFiles.From(config));
            var sources = new TilesetSources(database.DataSource, store);
            PublishedTileset? published;
            IReadOnlyList<string> warnings = [];
            switch (command)
            {
                case "build":
                    published = await WithProgressAsync("houses", p => new HousesTileset(database.DataSource, store).BuildAsync(p, CancellationToken.None));
                    if (published is null) { Cli.Say("there are no houses: nothing built"); return 1; }
                    break;
                case "register":
                    published = File.Exists(target)
                        ? await sources.RegisterArchiveAsync(target!, name!, title, outsideOk, new ZipLimits(MaxTotalBytes: 8L << 30, MaxEntries: 200_000), CancellationToken.None)
                        : await sources.RegisterFolderAsync(target!, name!, title, outsideOk, CancellationToken.None);
                    break;
                default:
                    (published, warnings) = await WithProgressAsync(name!, p => sources.ConvertOsgbAsync(target!, name!, title, outsideOk, p, CancellationToken.None));
                    break;
            }
            foreach (var w in warnings.Append(published.Warning).OfType<string>()) Cli.Say($"warning: {w}");
            Cli.Say($"{published.Kind} tileset '{published.Name}' version {published.Version} published at /3dtiles/{published.Name}/tileset.json" +
                (published.Bounds is { } b ? $", {b}" : ""));
            return 0;
        }
        catch (GeoTwin.Server.Infrastructure.Errors.Refusal e)
        {
            Cli.Say($"error: refused: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is StartupException or MigrationFailedException)
        {
            Cli.Say($"error: {e.Message}");
            return 2;
        }
    }

    static async Task<T> WithProgressAsync<T>(string what, Func<IProgress<(double Percent, string Phase)>, Task<T>> work)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        if (!console.Profile.Capabilities.Interactive) return await work(new Progress<(double, string)>());
        return await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(what), maxValue: 100);
                var result = await work(new Progress<(double Percent, string Phase)>(p =>
                {
                    task.Value = p.Percent;
                    task.Description = Markup.Escape($"{what}: {p.Phase}");
                }));
                task.Value = 100;
                return result;
            });
    }
}
