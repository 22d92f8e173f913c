using System.Text.Json;
using GeoTwin.DataImport.Import;
using GeoTwin.Server.Infrastructure.Db;
using Npgsql;

namespace GeoTwin.Server.Import;

/// <param name="Mapping">The mapping file's content, as JSON.</param>
/// <param name="NoRepair">Refuse invalid polygons as bad rows instead of repairing them.</param>
public sealed record UploadOptions(int? Srid, string? Datum, bool SkipInvalid, ImportMapping? Mapping, bool NoRepair = false);

public sealed record ImportJobStatus(long Id, string Layer, string FileName, long FileBytes, string Status, string? Phase, float Percent,
    long RowsRead, long Inserted, long Updated, long BadCount, long Repaired, IReadOnlyList<BadRow> BadRows, string? Message,
    string CreatedBy, DateTime CreatedAt, DateTime? FinishedAt)
{
    /// <summary>Rows written changed: each repaired polygon with what was changed.</summary>
    public IReadOnlyList<BadRow> Warnings { get; init; } = [];
}

/// <summary>import_jobs and the uploaded files waiting in import_files.</summary>
public sealed class ImportStore(NpgsqlDataSource db)
{
    const int ChunkBytes = 1 << 20;
    /// <summary>The report a job keeps for the viewer; the CLI's --report has them all.</summary>
    public const int BadRowsKept = 1000;
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The job row and its file, in one transaction: a job is never queued without its file.</summary>
    /// <param name="scope">the uploader's jurisdiction path, which the rows must lie in; null: unscoped (an admin)</param>
    public async Task<long> CreateAsync(string layer, string fileName, Stream file, UploadOptions options, string createdBy, string? scope, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        long id;
        await using (var cmd = new NpgsqlCommand(EmbeddedSql.Get("Import/create_job.sql"), conn, tx))
        {
            cmd.Parameters.Add(new() { Value = layer });
            cmd.Parameters.Add(new() { Value = fileName });
            cmd.Parameters.Add(new() { Value = file.Length });
            cmd.Parameters.Add(new() { Value = JsonSerializer.Serialize(options, Json) });
            cmd.Parameters.Add(new() { Value = createdBy });
            cmd.Parameters.Add(new() { Value = (object?)scope ?? DBNull.Value });
            id = (long)(await cmd.ExecuteScalarAsync(ct))!;
        }
        var buffer = new byte[ChunkBytes];
        for (var seq = 0; ; seq++)
        {
            var read = await file.ReadAtLeastAsync(buffer, ChunkBytes, throwOnEndOfStream: false, ct);
            if (read == 0) break;
            await using var cmd = new NpgsqlCommand(EmbeddedSql.Get("Import/add_chunk.sql"), conn, tx);
            cmd.Parameters.Add(new() { Value = id });
            cmd.Parameters.Add(new() { Value = seq });
            cmd.Parameters.Add(new() { Value = new ArraySegment<byte>(buffer, 0, read) });
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return id;
    }

    /// <returns>null when the job is not queued (already run, or unknown).</returns>
    public async Task<(string Layer, string FileName, UploadOptions Options, string? Scope)?> StartAsync(long id, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(EmbeddedSql.Get("Import/start_job.sql"));
        cmd.Parameters.Add(new() { Value = id });
        cmd.Parameters.Add(new() { Value = GeoTwin.DataImport.OwnedFolders.Self });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        return (r.GetString(0), r.GetString(1), JsonSerializer.Deserialize<UploadOptions>(r.GetString(2), Json)!, r.IsDBNull(3) ? null : r.GetString(3));
    }

    public async Task SaveFileAsync(long id, string path, CancellationToken ct)
    {
        await using var output = File.Create(path);
        await using var cmd = db.CreateCommand(EmbeddedSql.Get("Import/file_chunks.sql"));
        cmd.Parameters.Add(new() { Value = id });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            await using var chunk = r.GetStream(0);
            await chunk.CopyToAsync(output, ct);
        }
    }

    public Task ProgressAsync(long id, ImportProgress p, CancellationToken ct) =>
        ExecAsync("Import/job_progress.sql", ct, id, (float)Math.Round(p.Fraction * 100, 1), p.Rows, p.Phase);

    public Task FinishAsync(long id, string status, ImportResult? r, string? message, CancellationToken ct) =>
        ExecAsync("Import/finish_job.sql", ct, id, status, r?.RowsRead ?? 0, r?.Inserted ?? 0, r?.Updated ?? 0, r?.BadCount ?? 0, r?.Repaired ?? 0,
            JsonSerializer.Serialize(r?.BadRows.Take(BadRowsKept) ?? [], Json), (object?)message ?? DBNull.Value,
            JsonSerializer.Serialize(r?.Warnings.Take(BadRowsKept) ?? [], Json));

    public Task DeleteFileAsync(long id, CancellationToken ct) => ExecAsync("Import/delete_file.sql", ct, id);

    /// <param name="scope">the caller's scope ('*' or a path): a job created outside it is not found</param>
    public async Task<ImportJobStatus?> GetAsync(long id, string scope, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(EmbeddedSql.Get("Import/get_job.sql"));
        cmd.Parameters.Add(new() { Value = id });
        cmd.Parameters.Add(new() { Value = scope });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        return new ImportJobStatus(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5),
            r.GetFloat(6), r.GetInt64(7), r.GetInt64(8), r.GetInt64(9), r.GetInt64(10), r.GetInt64(11),
            JsonSerializer.Deserialize<List<BadRow>>(r.GetString(12), Json)!, r.IsDBNull(13) ? null : r.GetString(13),
            r.GetString(14), r.GetDateTime(15), r.IsDBNull(16) ? null : r.GetDateTime(16))
        { Warnings = JsonSerializer.Deserialize<List<BadRow>>(r.GetString(17), Json)! };
    }

    async Task ExecAsync(string file, CancellationToken ct, params object[] args)
    {
        await using var cmd = db.CreateCommand(EmbeddedSql.Get(file));
        foreach (var a in args) cmd.Parameters.Add(new() { Value = a });
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
