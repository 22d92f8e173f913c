using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using GeoTwin.DataImport.Crs;
using GeoTwin.DataImport.Import;
using GeoTwin.DataImport.Import.Layers;
using GeoTwin.Server.Infrastructure.Db;
using Spectre.Console;

namespace GeoTwin.Server.Import;

/// <summary>
/// `geotwin import FILE --layer L ...`: one file into one layer of the database the server would use, with a
/// progress bar on a terminal and the bad-row report at the end. Exit 0 written, 1 refused, 64 bad usage.
/// </summary>
public static class ImportCommand
{
    public const string Usage = """
        usage: geotwin import <file> --layer <layer> [options]
          <file>              .geojson .ndjson .csv .shp .gpkg .osm.pbf, or a .zip holding one of them
          --layer L           addresses, houses, organizations, cameras, roads, police_units, incidents, jurisdictions
                              warning_places (four-colour warning places with their responsible people and phones)
          --srid N            EPSG code of the file's coordinates (else what the file declares, else 4326)
          --datum D           gcj02 or bd09: remove the Chinese web-map offset
          --mapping FILE      JSON: {"fields": {"column": "source field"}, "defaults": {...}, "jurisdiction": "CODE", ...}
          --map COL=FIELD     fill a column from a source field (repeatable)
          --jurisdiction C    jurisdiction code for rows outside every police station
          --within C          write only rows inside jurisdiction C's subtree (default: anywhere; the operator's CLI is unscoped)
          --no-repair         refuse invalid polygons as bad rows instead of repairing them
          --skip-invalid      write the good rows and report the bad ones (default: one bad row, nothing written)
          --max-vertices N    most vertices a row's geometry may have (default: GeoTwin:Import:MaxVertices:<layer>,
                              else the layer's: houses 10,000, roads 20,000, jurisdictions 100,000, points 1)
          --report FILE       write the result and every reported bad row as JSON
          --data DIR          data directory of the private database (or GEOTWIN_DB for another database)
        """;

    // Relaxed escaping keeps Chinese text and quotes readable in the report; it is a data file, never HTML.
    static readonly JsonSerializerOptions ReportJson = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<int> RunAsync(string[] args)
    {
        ImportRequest request;
        string? reportPath, within;
        Dictionary<string, string?> settings;
        try
        {
            (request, reportPath, settings, within) = Parse(args);
        }
        catch (HelpException)
        {
            Console.WriteLine(Usage);
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or ImportRefusedException or FormatException)
        {
            Cli.Say($"error: {e.Message}");
            Console.Error.WriteLine(Usage);
            return 64;
        }

        var config = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddInMemoryCollection(settings)
            .Build();
        try
        {
            request = request with { MaxVertices = request.MaxVertices ?? ImportLimits.MaxVertices(config, request.Layer) };
        }
        catch (InvalidOperationException e)
        {
            Cli.Say($"error: {e.Message}");
            return 64;
        }
        try
        {
            // What an import killed earlier left in the temporary folder (its owner is gone) goes first.
            GeoTwin.DataImport.OwnedFolders.RemoveLeftovers(Path.GetTempPath());
            await using var database = await Database.OpenAsync(config, Cli.Say);
            if (within is not null) request = request with { Scope = await ImportScope.PathOfAsync(database.DataSource, within) };
            var result = await RunWithProgressAsync(database, request);
            Print(result);
            // Places drawn anew hold incidents already counted: the months are counted again, as the upload job does.
            if (result.Written && LayerCatalog.Get(request.Layer) == WarningPlacesLayer.Layer)
                Cli.Say($"warning levels counted again: {await new Warnings.WarningLevels(Warnings.WarningOptions.From(config)).RecountAfterImportAsync(database.DataSource)} changes");
            if (reportPath is not null) await File.WriteAllTextAsync(reportPath, JsonSerializer.Serialize(result, ReportJson));
            return result.Written ? 0 : 1;
        }
        catch (ImportRefusedException e)
        {
            Cli.Say($"error: {Path.GetFileName(request.Path)} refused: {e.Message}");
            if (reportPath is not null)
                await File.WriteAllTextAsync(reportPath, JsonSerializer.Serialize(new { layer = request.Layer, refused = e.Message }, ReportJson));
            return 1;
        }
        catch (Exception e) when (e is StartupException or MigrationFailedException)
        {
            Cli.Say($"error: {e.Message}");
            return 2;
        }
    }

    static (ImportRequest, string?, Dictionary<string, string?>, string?) Parse(string[] args)
    {
        string? path = null, layer = null, mappingFile = null, report = null, jurisdiction = null, within = null;
        int? srid = null, maxVertices = null;
        WebDatum? datum = null;
        bool skip = false, noRepair = false;
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"option {args[i]} needs a value");
            switch (args[i])
            {
                case "--layer": layer = Value(); break;
                case "--srid": srid = int.TryParse(Value(), out var s) && s > 0 ? s : throw new ArgumentException($"--srid needs an EPSG code, got '{args[i]}'"); break;
                case "--datum": datum = WebDatums.Parse(Value()); break;
                case "--mapping": mappingFile = Value(); break;
                case "--map":
                    var pair = Value().Split('=', 2);
                    if (pair.Length != 2 || pair[0].Length == 0 || pair[1].Length == 0) throw new ArgumentException($"--map takes COLUMN=FIELD, got '{args[i]}'");
                    fields[pair[0]] = pair[1];
                    break;
                case "--jurisdiction": jurisdiction = Value(); break;
                case "--within": within = Value(); break;
                case "--no-repair": noRepair = true; break;
                case "--skip-invalid": skip = true; break;
                case "--max-vertices": maxVertices = int.TryParse(Value(), out var m) && m > 0 ? m : throw new ArgumentException($"--max-vertices needs a whole number above 0, got '{args[i]}'"); break;
                case "--report": report = Value(); break;
                case "--help" or "-h": throw new HelpException();
                case var a when !a.StartsWith('-') && path is null: path = a; break;
                case var a when a.StartsWith("--") && i + 1 < args.Length: rest.Add(a); rest.Add(args[++i]); break;
                default: throw new ArgumentException($"unknown option '{args[i]}'");
            }
        }
        if (path is null) throw new ArgumentException("which file? geotwin import <file> --layer <layer>");
        if (layer is null) throw new ArgumentException("--layer is required");
        var mapping = mappingFile is null ? new ImportMapping() : ImportMapping.Load(mappingFile);
        foreach (var (column, field) in fields) mapping.Fields[column] = field;
        if (jurisdiction is not null) mapping = mapping with { Jurisdiction = jurisdiction };
        var request = new ImportRequest(Path.GetFullPath(path), layer, srid, datum, mapping, skip, MaxVertices: maxVertices, NoRepair: noRepair);
        return (request, report, Cli.ParseSettings([.. rest]), within);
    }

    static async Task<ImportResult> RunWithProgressAsync(Database database, ImportRequest request)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        if (!console.Profile.Capabilities.Interactive)
            return await Importer.RunAsync(database.DataSource, request);

        var latest = new LatestProgress();
        return await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(Path.GetFileName(request.Path), maxValue: 1);
                var clock = Stopwatch.StartNew();
                var import = Importer.RunAsync(database.DataSource, request, latest);
                while (!import.IsCompleted)
                {
                    await Task.WhenAny(import, Task.Delay(200));
                    if (latest.Value is not { } p) continue;
                    task.Value = p.Fraction;
                    task.Description = $"{Markup.Escape(Path.GetFileName(request.Path))}: {p.Rows:N0} rows, {p.Rows / Math.Max(0.001, clock.Elapsed.TotalSeconds):N0} rows/s, {p.Phase}";
                }
                task.Value = 1;
                return await import;
            });
    }

    sealed class HelpException : Exception;

    const int BadRowsOnTerminal = 50;

    static void Print(ImportResult r)
    {
        foreach (var note in r.Warnings.Take(BadRowsOnTerminal))
            Console.Error.WriteLine($"  row {note.Row}: {note.Field}: warning: {note.Reason}");
        foreach (var bad in r.BadRows.Take(BadRowsOnTerminal))
            Console.Error.WriteLine($"  row {bad.Row}: {bad.Field}: {bad.Reason}");
        if (r.BadCount > Math.Min(BadRowsOnTerminal, r.BadRows.Count))
            Console.Error.WriteLine($"  ... {r.BadCount - Math.Min(BadRowsOnTerminal, r.BadRows.Count):N0} more bad rows (--report FILE lists them)");
        var repaired = r.Repaired > 0 ? $", {r.Repaired:N0} geometries repaired" : "";
        Cli.Say(r.Written
            ? $"{r.Layer}: {r.RowsRead:N0} rows read from EPSG:{r.SourceSrid}, {r.Inserted:N0} inserted, {r.Updated:N0} updated, {r.BadCount:N0} bad rows skipped{repaired} in {r.Elapsed.TotalSeconds:0.0} s ({r.RowsPerSecond:N0} rows/s)"
            : $"{r.Layer}: refused: {r.Refused}");
    }
}
