using GeoTwin.Server.Infrastructure.Errors;
using System.Text.Json;
using GeoTwin.Server.Infrastructure.Db;
using Npgsql;

namespace GeoTwin.Server.Twin3d;

public sealed record TilesetRow(string Name, string? Title, string Kind, string StoragePath, string Version);

/// <param name="Url">the stable entry point; its content is fetched from versioned URLs.</param>
public sealed record TilesetInfo(string Name, string? Title, string Kind, string Version, string Url, double[]? Bbox, DateTime UpdatedAt);

public sealed record TilesetJobStatus(long Id, string Tileset, string Kind, string Status, float Percent, string? Phase, string? Message,
    string? Version, string CreatedBy, DateTime CreatedAt, DateTime? FinishedAt);

/// <summary>What publishing a tileset did; <paramref name="Warning"/> says when it lies outside the jurisdiction and was kept anyway.</summary>
public sealed record PublishedTileset(string Name, string Kind, string Version, GeoBounds? Bounds, string? Warning);

/// <summary>The tilesets table, the tileset jobs, and publishing a staged folder as a tileset's new version.</summary>
public sealed class Twin3dStore(NpgsqlDataSource db, TilesetFiles files)
{
    public TilesetFiles Files { get; } = files;

    public Task<(double W, double S, double E, double N)?> RootBoundsAsync(CancellationToken ct) =>
        FirstAsync<(double, double, double, double)?>("Twin3d/root_bounds.sql", r => (r.GetDouble(0), r.GetDouble(1), r.GetDouble(2), r.GetDouble(3)), ct);

    public Task<TilesetRow?> GetAsync(string name, CancellationToken ct) =>
        FirstAsync<TilesetRow?>("Twin3d/get_tileset.sql", r => new TilesetRow(r.GetString(0), r.Nullable<string>(1), r.GetString(2), r.GetString(3), r.GetString(4)), ct, name);

    public async Task<List<TilesetInfo>> ListAsync(CancellationToken ct)
    {
        await using var cmd = db.Sql("Twin3d/list_tilesets.sql");
        return await cmd.ListAsync(r => new TilesetInfo(r.GetString(0), r.Nullable<string>(1), r.GetString(2), r.GetString(3), $"/3dtiles/{r.GetString(0)}/tileset.json",
            r.IsDBNull(4) ? null : [r.GetDouble(4), r.GetDouble(5), r.GetDouble(6), r.GetDouble(7)], r.GetDateTime(8)), ct);
    }

    /// <summary>
    /// Checks the staged folder's tileset.json and georeference, moves it to its version folder and makes that version
    /// current with one row update (requests already under way keep reading the version they started with, which
    /// stays on disk until the next publish).
    /// </summary>
    /// <param name="outsideOk">publish even when the root bounding volume misses the jurisdiction (a warning then).</param>
    /// <param name="withdrawPrevious">delete every older version at once, the one replaced too, instead of keeping it for viewers
    /// still loading it: for a version that must not stay reachable (a houses tileset that carried resident counts).</param>
    /// <exception cref="Refusal">no or bad tileset.json, no georeference, outside the jurisdiction.</exception>
    public async Task<PublishedTileset> PublishAsync(string name, string? title, string kind, string staging, string? sourceSrs, bool outsideOk,
        string? version, CancellationToken ct, bool withdrawPrevious = false)
    {
        var entry = Path.Combine(staging, "tileset.json");
        if (!File.Exists(entry)) throw Refusal.BadRequest("file", "there is no tileset.json at the top of the tileset (a .3tz holds it at its root)");
        GeoBounds? bounds;
        string? warning = null;
        try
        {
            using var doc = JsonDocument.Parse(await File.ReadAllBytesAsync(entry, ct));
            bounds = RootBounds.Read(doc.RootElement);
        }
        catch (JsonException e) { throw Refusal.BadRequest("file", $"tileset.json is not valid JSON: {e.Message}"); }
        catch (NotGeoreferencedException e)
        {
            if (!outsideOk) throw Refusal.BadRequest("file", $"{e.Message}; publish it anyway with the outside-the-jurisdiction override");
            bounds = null;
            warning = e.Message + "; published anyway as asked";
        }
        catch (InvalidDataException e) { throw Refusal.BadRequest("file", e.Message); }

        if (bounds is not null && await RootBoundsAsync(ct) is { } jurisdiction && !bounds.Intersects(jurisdiction))
        {
            var where = FormattableString.Invariant($"the tileset lies at {bounds}, outside the jurisdiction (lon {jurisdiction.W:0.####} to {jurisdiction.E:0.####}, lat {jurisdiction.S:0.####} to {jurisdiction.N:0.####})");
            if (!outsideOk) throw Refusal.BadRequest("file", $"{where}: wrong georeference? Publish it anyway with the outside-the-jurisdiction override");
            warning = where + "; published anyway as asked";
        }

        version ??= TilesetFiles.ContentVersion(staging);
        var previous = await GetAsync(name, ct);
        if (previous is not null && previous.Kind != kind)
            throw new Refusal(409, $"name: '{name}' is taken by a {previous.Kind} tileset; choose another name", "name");
        Files.Publish(name, staging, version);
        await using (var cmd = db.Sql("Twin3d/upsert_tileset.sql", name, (object?)title ?? DBNull.Value, kind, $"{name}/{version}", (object?)sourceSrs ?? DBNull.Value,
            N(bounds?.West), N(bounds?.South), N(bounds?.East), N(bounds?.North), N((bounds?.MinHeight + bounds?.MaxHeight) / 2), version))
            await cmd.ExecuteNonQueryAsync(ct);
        Files.Prune(name, version, withdrawPrevious ? null : previous?.Version);
        return new PublishedTileset(name, kind, version, bounds, warning);
    }

    static object N(double? v) => v is { } d ? d : DBNull.Value;

    public async Task<long> CreateJobAsync(string tileset, string kind, string createdBy, CancellationToken ct)
    {
        await using var cmd = db.Sql("Twin3d/create_job.sql", tileset, kind, createdBy);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <returns>false when the job is not queued (already run, or unknown).</returns>
    public async Task<bool> StartJobAsync(long id, CancellationToken ct)
    {
        await using var cmd = db.Sql("Twin3d/start_job.sql", id, GeoTwin.DataImport.OwnedFolders.Self);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct);
    }

    public async Task ProgressAsync(long id, double percent, string phase, CancellationToken ct)
    {
        await using var cmd = db.Sql("Twin3d/job_progress.sql", id, (float)Math.Round(Math.Clamp(percent, 0, 100), 1), phase);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task FinishJobAsync(long id, string status, string? message, string? version, CancellationToken ct)
    {
        await using var cmd = db.Sql("Twin3d/finish_job.sql", id, status, (object?)message ?? DBNull.Value, (object?)version ?? DBNull.Value);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public Task<TilesetJobStatus?> GetJobAsync(long id, CancellationToken ct) =>
        FirstAsync<TilesetJobStatus?>("Twin3d/get_job.sql", r => new TilesetJobStatus(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetFloat(4),
            r.Nullable<string>(5), r.Nullable<string>(6), r.Nullable<string>(7), r.GetString(8), r.GetDateTime(9), r.IsDBNull(10) ? null : r.GetDateTime(10)), ct, id);

    async Task<T> FirstAsync<T>(string file, Func<NpgsqlDataReader, T> row, CancellationToken ct, params object[] args)
    {
        await using var cmd = db.Sql(file, args);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? row(r) : default!;
    }
}
