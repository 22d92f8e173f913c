using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Tiling.Extrusion;
using GeoTwin.Tiling.Gltf;
using GeoTwin.Tiling.Tilesets;
using NetTopologySuite.Geometries;
using Npgsql;

namespace GeoTwin.Server.Twin3d;

/// <summary>
/// The houses tileset, built from PostGIS: one extruded building a house row, clickable by its id. Its properties
/// are the house's own physical facts (use, floors, heights), no resident count and never a person: one tileset
/// is served to every staff member of every station and cached by browsers, while counts are scoped (a station
/// sees its own houses' counts only), so the viewer fetches them through GET /api/houses/counts.
/// </summary>
public sealed class HousesTileset(NpgsqlDataSource db, Twin3dStore store)
{
    public const string Name = "houses";

    public static readonly FeatureClass Class = new("house",
    [
        new("use", PropertyType.String),
        new("floors", PropertyType.Int32),
        new("base_height_m", PropertyType.Float64),
        new("roof_height_m", PropertyType.Float64),
    ]);

    /// <summary>Builds every house into a new version and publishes it. The quadtree's root cell is the jurisdiction's
    /// bounds, so the cells stand still between builds and only the GLBs whose houses changed get new bytes.</summary>
    /// <param name="progress">0..100 and what is being done.</param>
    /// <returns>null when there are no houses to build.</returns>
    public async Task<PublishedTileset?> BuildAsync(IProgress<(double Percent, string Phase)>? progress, CancellationToken ct)
    {
        long total;
        await using (var count = db.CreateCommand("SELECT count(*) FROM houses")) total = (long)(await count.ExecuteScalarAsync(ct))!;
        if (total == 0) return null;
        // A current version built before the counts left the tileset shows every station's counts: the new one replaces
        // it at once, and it and every older version go from disk (their versioned URLs answer 404), not at the next build.
        var withdraw = await store.GetAsync(Name, ct) is { } current && CarriesCounts(store.Files.VersionFolder(current.Name, current.Version));
        var cell = await store.RootBoundsAsync(ct);
        var options = new TilesetOptions { RootCell = cell is var (w, s, e, n) ? (w, s, e, n) : null, MaxFeaturesPerTile = 500 };
        var staging = store.Files.Stage(Name);
        try
        {
            var building = new Progress<TilesetProgress>(p => progress?.Report(p.Phase == "reading"
                ? (40.0 * p.Done / Math.Max(1, total), $"reading houses: {p.Done:N0} of {total:N0}")
                : (40 + 55.0 * p.Done / Math.Max(1, p.Total ?? 1), $"writing tiles: {p.Done:N0} of {p.Total:N0}")));
            var summary = await Task.Run(() => TilesetBuilder.Build(ReadHouses(ct), Class, staging, options, building, ct), ct);
            progress?.Report((95, "publishing"));
            // No title: the viewer names it in the reader's language.
            return await store.PublishAsync(Name, null, "houses", staging, null, outsideOk: true, summary.Version, ct, withdrawPrevious: withdraw);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>
    /// At start. Demo: when there are houses but no houses tileset yet, its build is queued as a job (about a second
    /// for Monaco), so start-up does not wait for it and the viewer lists it once published. Any mode: a houses
    /// tileset built before the counts left it (issue #15) is rebuilt the same way, as it shows every station's counts.
    /// The rebuild deletes that version and every older one at once (see BuildAsync).
    /// </summary>
    public static async Task EnsureCurrentAsync(IServiceProvider services, bool demo)
    {
        var store = services.GetRequiredService<Twin3dStore>();
        var row = await store.GetAsync(Name, CancellationToken.None);
        if (row is null ? demo : CarriesCounts(store.Files.VersionFolder(row.Name, row.Version)))
            await services.GetRequiredService<Twin3dJobs>().EnqueueHousesAsync(row is null ? "demo" : "start: tileset had resident counts", CancellationToken.None);
    }

    /// <summary>Whether a built version names a count column: its GLBs' JSON chunk holds the property table's schema.</summary>
    static bool CarriesCounts(string folder)
    {
        if (!Directory.Exists(folder)) return false;
        var marker = "\"residents_total\""u8.ToArray();
        return Directory.EnumerateFiles(folder, "*.glb", SearchOption.AllDirectories).Take(1)
            .Any(glb => File.ReadAllBytes(glb).AsSpan().IndexOf(marker) >= 0);
    }

    /// <summary>Streams the rows: the builder reads its input once and parks it on disk, so memory stays flat.</summary>
    IEnumerable<ExtrudedFeature> ReadHouses(CancellationToken ct)
    {
        using var conn = db.OpenConnection();
        using var cmd = new NpgsqlCommand(EmbeddedSql.Get("Twin3d/houses_for_tiles.sql"), conn);
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            ct.ThrowIfCancellationRequested();
            yield return new ExtrudedFeature(r.GetInt64(0).ToString(System.Globalization.CultureInfo.InvariantCulture), r.GetFieldValue<Geometry>(1),
                r.GetFloat(2), r.GetFloat(3),
                [r.GetString(4), r.IsDBNull(5) ? null : (int)r.GetInt16(5), (double)r.GetFloat(2), (double)r.GetFloat(3)]);
        }
    }
}
