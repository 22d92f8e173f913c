using System.Diagnostics;
using System.Text.RegularExpressions;
using GeoTwin.DataImport.Crs;
using GeoTwin.DataImport.Import.Layers;
using GeoTwin.DataImport.Reading;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Utilities;
using NetTopologySuite.Operation.Valid;
using Npgsql;
using NpgsqlTypes;

namespace GeoTwin.DataImport.Import;

/// <summary>
/// One file into one layer, as one transaction: stream the records, check and place each in C#, binary-COPY the
/// good ones into a temporary staging table, check what needs the database set-based (unplaced rows, duplicates,
/// references), then one upsert on the natural key. Without --skip-invalid a single bad row means nothing is written.
/// </summary>
public static class Importer
{
    const int ProgressEvery = 4096;
    /// <summary>Statements on a million staged rows run for minutes: the file's size bounds them, not a timeout.</summary>
    const int NoTimeout = 0;

    public static async Task<ImportResult> RunAsync(NpgsqlDataSource db, ImportRequest request, IProgress<ImportProgress>? progress = null, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        var layer = LayerCatalog.Get(request.Layer);
        var mapping = request.Mapping ?? new ImportMapping();
        mapping.CheckAgainst(layer);
        ImportScope.CheckLayer(layer, request.Scope);
        var datum = request.Datum ?? WebDatums.Parse(mapping.Datum);
        using var reader = SourceFiles.Open(request.Path, new SourceOptions(new CsvColumns(mapping.Lon, mapping.Lat, mapping.Wkt), mapping.Table, request.Zip, layer.Name));

        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (mapping.Jurisdiction is { } fallback && await ScalarAsync<long?>(conn, "Import/jurisdiction_id.sql", ct, fallback) is null)
            throw new ImportRefusedException($"the mapping names jurisdiction '{fallback}', which does not exist");
        await ExecAsync(conn, StagingTable(layer), ct);
        var tree = layer.Placement == Placement.None ? null : await TreePlacement.LoadAsync(conn, layer.Placement, mapping.Jurisdiction, ct);

        var load = new Load(layer, request, reader, progress);
        await load.CopyAsync(db, conn, mapping, datum, tree, ct);
        // Nothing to write is a mistake (a wrong file, an export that failed), not a success with nothing written.
        if (load.Rows == 0) throw new ImportRefusedException("the file has no rows");

        progress?.Report(new ImportProgress(load.Rows, 1, "checking"));
        if (tree is not null) await ExecAsync(conn, EmbeddedSql.Get("Import/Checks/unplaced.sql"), ct);
        foreach (var column in layer.UniqueColumns)
            await ExecAsync(conn, EmbeddedSql.Get("Import/Checks/duplicates.sql").Replace("{column}", column), ct);
        foreach (var check in layer.Checks) await ExecAsync(conn, EmbeddedSql.Get(check), ct);
        if (request.Scope is { } scope) await ImportScope.MarkOutsideAsync(conn, layer, scope, ct);
        var (badRows, badCount) = await BadRowsAsync(conn, request.MaxReportedRows, ct);
        ImportResult Result(long inserted, long updated, string? refused) =>
            new(layer.Name, load.Srid, load.Rows, inserted, updated, badCount, load.Repaired, badRows, refused, clock.Elapsed) { Warnings = load.Warnings };

        if (badCount > 0 && !request.SkipInvalid)
        {
            await tx.RollbackAsync(ct);
            return Result(0, 0, $"{badCount:N0} of {load.Rows:N0} rows are bad, so nothing was written (--skip-invalid writes the good rows)");
        }
        if (badCount > 0) await ExecAsync(conn, EmbeddedSql.Get("Import/drop_bad.sql"), ct);

        progress?.Report(new ImportProgress(load.Rows, 1, "writing"));
        try
        {
            var (rebuild, tableWasEmpty) = await DropIndexesForBulkLoadAsync(conn, layer, load.Rows - badCount, ct);
            var bulk = rebuild.Count > 0;
            if (bulk && layer.PathTrigger is { } trigger) await ExecAsync(conn, $"ALTER TABLE {layer.Table} DISABLE TRIGGER {trigger}", ct);
            var keyChecks = bulk ? await CheckTreeKeysOnceAsync(conn, layer, load.PlacedIn, ct) : [];
            if (keyChecks is null)
            {
                await tx.RollbackAsync(ct);
                return Result(0, 0, "jurisdictions the rows were placed in were deleted during the import, so nothing was written: import again");
            }
            var keyConstraints = bulk ? await DropKeyConstraintsWhenEveryKeyIsNewAsync(conn, layer, tableWasEmpty, ct) : [];
            var (inserted, updated) = await UpsertAsync(conn, layer, insertOnly: keyConstraints.Count > 0, ct);
            if (bulk)
            {
                progress?.Report(new ImportProgress(load.Rows, 1, "indexing"));
                // Deferred checks (foreign keys) run now, as they would at commit: CREATE INDEX and ALTER TABLE refuse to run with them pending.
                // A GIN build sorts its entries in this memory and writes a run each time it fills: 1 GB takes a million addresses' trigrams in one.
                await ExecAsync(conn, "SET CONSTRAINTS ALL IMMEDIATE; SET LOCAL maintenance_work_mem = '1GB'", ct);
                if (layer.PathTrigger is { } again) await ExecAsync(conn, $"ALTER TABLE {layer.Table} ENABLE TRIGGER {again}", ct);
                foreach (var check in keyChecks) await ExecAsync(conn, $"ALTER TABLE {layer.Table} ENABLE TRIGGER {check}", ct);
                foreach (var definition in rebuild) await ExecAsync(conn, definition, ct);
                // The unique key first, then the foreign keys that need its index (checked here by one join each).
                foreach (var (_, add) in Enumerable.Reverse(keyConstraints)) await ExecAsync(conn, add, ct);
            }
            await tx.CommitAsync(ct);
            return Result(inserted, updated, null);
        }
        catch (PostgresException e) when (e.SqlState.StartsWith("23") || e.SqlState == PostgresErrorCodes.RaiseException)
        {
            // A rule only the database knows (its checks are mirrored above, so this is rare): the file as a whole is refused.
            await tx.RollbackAsync(ct);
            return Result(0, 0, $"the database refused the rows: {e.MessageText}" + (e.ConstraintName is { } c ? $" (constraint {c})" : ""));
        }
    }

    /// <summary>
    /// The staging table: the layer's columns (an allow-list) plus what the checks fill in. Every row is staged, bad
    /// ones too, so the set-based checks (placement, duplicates, references, scope) add their reasons to those found
    /// while reading: bad_fields and bad_reasons hold each reason (null: no reason yet); place_unknown marks a row
    /// whose position and named station could not be read, so where it lies cannot be judged.
    /// </summary>
    static string StagingTable(Layer layer) =>
        "CREATE TEMP TABLE import_staging (row_no bigint NOT NULL, geom geometry, anchor geometry, "
        + string.Concat(layer.Columns.Select(c => $"{c.Name} {PgType(c.Type)}, "))
        + "jurisdiction_id bigint, community_id bigint, address_id bigint, place_unknown boolean NOT NULL DEFAULT false, bad_fields text[], bad_reasons text[]) ON COMMIT DROP";

    static string PgType(NpgsqlDbType type) => type switch
    {
        NpgsqlDbType.Text => "text",
        NpgsqlDbType.Integer => "integer",
        NpgsqlDbType.Smallint => "smallint",
        NpgsqlDbType.Real => "real",
        NpgsqlDbType.TimestampTz => "timestamptz",
        NpgsqlDbType.Array | NpgsqlDbType.Text => "text[]",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>A layer's upsert without its ON CONFLICT clause, for a load whose keys are all new (the clause is then dead weight).</summary>
    static readonly Regex OnConflict = new(@"\bON CONFLICT \(\w+\) DO UPDATE SET\b.*?(?=\bRETURNING\b)", RegexOptions.Singleline);

    internal static string InsertOnlySql(Layer layer)
    {
        var upsert = EmbeddedSql.Get(layer.UpsertSql);
        var insert = OnConflict.Replace(upsert, "", 1);
        return insert != upsert ? insert : throw new InvalidOperationException($"{layer.UpsertSql} has no ON CONFLICT ... DO UPDATE SET ... RETURNING to take out");
    }

    static async Task<(long Inserted, long Updated)> UpsertAsync(NpgsqlConnection conn, Layer layer, bool insertOnly, CancellationToken ct)
    {
        long inserted = 0, updated = 0;
        var sql = insertOnly ? InsertOnlySql(layer) : EmbeddedSql.Get(layer.UpsertSql);
        // The tree goes in a level at a time (see jurisdictions.upsert.sql); every other layer in one statement.
        for (var level = 0; level < 16; level++)
        {
            await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = NoTimeout };
            await using var r = await cmd.ExecuteReaderAsync(ct);
            await r.ReadAsync(ct);
            var (i, u) = (r.GetInt64(0), r.GetInt64(1));
            (inserted, updated) = (inserted + i, updated + u);
            if (layer != LayerCatalog.Jurisdictions || i + u == 0) break;
        }
        return (inserted, updated);
    }

    /// <summary>Below this many rows an import maintains the indexes row by row.</summary>
    const long BulkLoadRows = 100_000;

    /// <summary>
    /// A bulk load (at least BulkLoadRows, and more rows than the table holds) drops the table's indexes that
    /// back no constraint (GIN, GiST, plain btrees) inside the import's transaction and returns their definitions to build again after the
    /// upsert: building a trigram or ltree index once is several times cheaper than a million row-by-row
    /// updates. The layer's path trigger is switched off for the upsert the same way (ALTER TABLE DISABLE TRIGGER
    /// is transactional, and the lock keeps every other writer out while it is off). The price: DROP INDEX holds an
    /// ACCESS EXCLUSIVE lock on the table until commit, so readers of that table (tiles, search) wait for the rest
    /// of the import. That is why only a load that at least
    /// doubles the table does it (first loads, a new city); an update of a big table keeps its indexes.
    /// </summary>
    /// <returns>the definitions to build again (none: not a bulk load), and whether the table held no row</returns>
    static async Task<(List<string> Rebuild, bool TableWasEmpty)> DropIndexesForBulkLoadAsync(NpgsqlConnection conn, Layer layer, long rows, CancellationToken ct)
    {
        if (rows < BulkLoadRows || layer == LayerCatalog.Jurisdictions) return ([], false);
        // Count only as far as it matters: a bounded scan, not the whole table.
        var stored = await ScalarSqlAsync<long>(conn, $"SELECT count(*) FROM (SELECT 1 FROM {layer.Table} LIMIT $1) t", ct, rows);
        if (stored >= rows) return ([], false);
        var indexes = await TextRowsAsync(conn, "Import/bulk_indexes.sql", ct, layer.Table);
        foreach (var index in indexes) await ExecAsync(conn, $"DROP INDEX {index[1]}", ct);
        return ([.. indexes.Select(i => i[0])], stored == 0);
    }

    /// <summary>
    /// A bulk load's keys into the jurisdiction tree, checked once for the file instead of once a row: every node the
    /// rows were placed in (collected while they streamed) is locked FOR KEY SHARE (what each row's foreign-key check would take, so no jurisdiction can
    /// be deleted until commit) and must exist; then those checks' triggers are off for the upsert and on again
    /// after it. A million per-row lookups were a third of a million-row upsert. Switching a foreign key's trigger
    /// needs a superuser (GeoTwin's own cluster); elsewhere the rows are checked one by one as before.
    /// </summary>
    /// <returns>the triggers switched off, to switch on after the upsert; null when a named jurisdiction is gone</returns>
    static async Task<List<string>?> CheckTreeKeysOnceAsync(NpgsqlConnection conn, Layer layer, IReadOnlyCollection<long> placedIn, CancellationToken ct)
    {
        var triggers = (await TextRowsAsync(conn, "Import/bulk_tree_keys.sql", ct, layer.Table)).Select(t => t[0]).ToList();
        if (triggers.Count == 0) return [];
        var locked = await ScalarSqlAsync<long>(conn,
            "SELECT count(*) FROM (SELECT id FROM jurisdictions WHERE id = ANY ($1) FOR KEY SHARE) locked", ct, placedIn.ToArray());
        if (locked < placedIn.Count) return null;
        foreach (var trigger in triggers) await ExecAsync(conn, $"ALTER TABLE {layer.Table} DISABLE TRIGGER {trigger}", ct);
        return triggers;
    }

    /// <summary>
    /// In a bulk load whose natural keys are all new to the table (an empty table, else one join says so), the unique constraint on that
    /// key and the foreign keys leaning on it are dropped for the insert and added back after it: one sort builds
    /// the unique index and one join checks the references, where ON CONFLICT probed the index and queued a deferred
    /// check for each of a million rows. The staged keys are already unique (the duplicates check) and the table is
    /// locked against every other writer since its indexes were dropped, so adding them back cannot fail on the
    /// key; a reference the checks missed fails it, and the file is refused as before. A primary key stays.
    /// </summary>
    /// <returns>(drop, add) statements in drop order; empty when a staged key is already stored (the upsert runs as usual)</returns>
    static async Task<List<(string Drop, string Add)>> DropKeyConstraintsWhenEveryKeyIsNewAsync(NpgsqlConnection conn, Layer layer, bool tableWasEmpty, CancellationToken ct)
    {
        var constraints = (await TextRowsAsync(conn, "Import/bulk_key_constraints.sql", ct, layer.Table, layer.Key)).Select(c => (Drop: c[0], Add: c[1])).ToList();
        if (constraints.Count == 0) return [];
        if (!tableWasEmpty && await ScalarSqlAsync<bool>(conn,
                $"SELECT EXISTS (SELECT 1 FROM import_staging s JOIN {layer.Table} t ON t.{layer.Key} = s.{layer.Key})", ct))
            return [];
        foreach (var (drop, _) in constraints) await ExecAsync(conn, drop, ct);
        return constraints;
    }

    static async Task<(List<BadRow> Rows, long Count)> BadRowsAsync(NpgsqlConnection conn, int limit, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(EmbeddedSql.Get("Import/bad_rows.sql"), conn) { CommandTimeout = NoTimeout };
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Math.Max(1, limit) });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var rows = new List<BadRow>();
        long count = 0;
        while (await r.ReadAsync(ct))
        {
                rows.Add(new BadRow(r.GetInt64(0), r.GetString(1), r.GetString(2)));
            count = r.GetInt64(3);
        }
        // Several reasons a row: the report holds the reasons of the first MaxReportedRows rows, and no more entries than that.
        return (rows.Count > limit ? rows[..limit] : rows, count);
    }

    static async Task ExecAsync(NpgsqlConnection conn, string sql, CancellationToken ct, params object[] args)
    {
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = NoTimeout };
        foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The rows of an embedded query whose columns are all text.</summary>
    static async Task<List<string[]>> TextRowsAsync(NpgsqlConnection conn, string file, CancellationToken ct, params object[] args)
    {
        await using var cmd = new NpgsqlCommand(EmbeddedSql.Get(file), conn);
        foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var rows = new List<string[]>();
        while (await r.ReadAsync(ct)) rows.Add([.. Enumerable.Range(0, r.FieldCount).Select(r.GetString)]);
        return rows;
    }

    static Task<T?> ScalarAsync<T>(NpgsqlConnection conn, string file, CancellationToken ct, params object[] args) =>
        ScalarSqlAsync<T>(conn, EmbeddedSql.Get(file), ct, args);

    static async Task<T?> ScalarSqlAsync<T>(NpgsqlConnection conn, string sql, CancellationToken ct, params object[] args)
    {
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = NoTimeout };
        foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        return await cmd.ExecuteScalarAsync(ct) is T value ? value : default;
    }

    /// <summary>The streaming part: records to checked rows to binary COPY, counting as it goes.</summary>
    sealed class Load(Layer layer, ImportRequest request, ISourceReader reader, IProgress<ImportProgress>? progress)
    {
        public long Rows { get; private set; }
        public long Repaired { get; private set; }
        /// <summary>The current row's reasons (field, why), reused row to row.</summary>
        readonly List<string> _badFields = [], _badReasons = [];
        /// <summary>Rows written as changed (a repaired polygon): row, field and what was changed.</summary>
        public List<BadRow> Warnings { get; } = [];
        /// <summary>Every tree node a row was placed in (jurisdiction or community): the keys a bulk load checks once.</summary>
        public HashSet<long> PlacedIn { get; } = [];
        public int Srid { get; private set; }

        public async Task CopyAsync(NpgsqlDataSource db, NpgsqlConnection conn, ImportMapping mapping, WebDatum datum, TreePlacement? tree, CancellationToken ct)
        {
            var mapper = new RowMapper(layer, mapping);
            var columns = layer.Columns;
            var codeIndex = Array.FindIndex(columns, c => c.Name == "jurisdiction_code");
            var maxVertices = VertexLimit.For(layer, request.MaxVertices);
            CoordinateConversion? conversion = null;
            await using var copy = await conn.BeginBinaryImportAsync(
                $"COPY import_staging (row_no, geom, {string.Join(", ", columns.Select(c => c.Name))}, bad_fields, bad_reasons"
                + (tree is null ? "" : ", anchor, jurisdiction_id, community_id, place_unknown") + ") FROM STDIN (FORMAT BINARY)", ct);
            await foreach (var record in reader.ReadAheadAsync(ct))
            {
                Rows++;
                // The file's CRS is known once its first record is read (a GeoJSON crs member comes before the features).
                conversion ??= await ConversionAsync(db, mapping, datum, ct);
                // Every check of the row runs, whatever an earlier one found: a clerk fixes a row once, not once per reason.
                _badFields.Clear();
                _badReasons.Clear();
                // A record that could not be read whole may lack fields it has: only values present and wrong count then.
                var (values, fieldErrors) = mapper.Map(record, partial: record.Error is not null);
                foreach (var e in fieldErrors) Bad(e.Column, e.Reason);
                Geometry? geometry = null;
                var geometryBad = true;
                if (record.Error is { } error) Bad(error);
                // Too many vertices: not repaired, converted or placed, which all cost in proportion to them.
                else if (VertexLimit.Check(record.Geometry, layer, maxVertices) is { } tooMany) Bad("geometry", tooMany);
                else
                {
                    (geometry, var geometryError) = Geometry(record.Row, record.Geometry, conversion);
                    if (geometryError is not null) Bad("geometry", geometryError); else geometryBad = false;
                }

                copy.StartRow();
                copy.Write(record.Row, NpgsqlDbType.Bigint);
                if (geometry is null) copy.WriteNull(); else copy.Write(geometry, NpgsqlDbType.Geometry);
                for (var i = 0; i < columns.Length; i++)
                    if (values[i] is { } v) copy.Write(v, columns[i].Type); else copy.WriteNull();
                if (_badReasons.Count == 0) { copy.WriteNull(); copy.WriteNull(); }
                else
                {
                    copy.Write(_badFields.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
                    copy.Write(_badReasons.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
                }
                if (tree is not null)
                {
                    var anchor = TreePlacement.Anchor(geometry);
                    var (jurisdiction, community) = tree.Place(codeIndex < 0 ? null : values[codeIndex] as string, anchor);
                    // Kept for the bad-row report of a polygon outside every station; a point is its own anchor.
                    if (anchor is null || geometry is Point) copy.WriteNull(); else copy.Write(anchor, NpgsqlDbType.Geometry);
                    if (jurisdiction is { } j) { copy.Write(j, NpgsqlDbType.Bigint); PlacedIn.Add(j); } else copy.WriteNull();
                    if (community is { } c) { copy.Write(c, NpgsqlDbType.Bigint); PlacedIn.Add(c); } else copy.WriteNull();
                    // A station named but unreadable, or no usable position and none named: where the row lies is unknown.
                    var codeGiven = codeIndex >= 0 && values[codeIndex] is not null;
                    copy.Write(mapper.Failed(codeIndex) || geometryBad && !codeGiven, NpgsqlDbType.Boolean);
                }
                if (Rows % ProgressEvery == 0) progress?.Report(new ImportProgress(Rows, reader.Progress, "reading"));
            }
            await copy.CompleteAsync(ct);
            Srid = conversion?.SourceSrid ?? await SourceSridAsync(mapping);
            progress?.Report(new ImportProgress(Rows, 1, "reading"));
        }

        async Task<CoordinateConversion> ConversionAsync(NpgsqlDataSource db, ImportMapping mapping, WebDatum datum, CancellationToken ct) =>
            await CoordinateConversion.CreateAsync(db, await SourceSridAsync(mapping), datum, ct);

        Task<int> SourceSridAsync(ImportMapping mapping)
        {
            var srid = request.Srid ?? mapping.Srid ?? reader.DeclaredSrid;
            if (srid is null && reader.UnrecognizedCrs is { } name)
                throw new ImportRefusedException($"unknown CRS \"{name}\" declared by the file: GeoTwin cannot tie it to an EPSG code; pass --srid with the code");
            return Task.FromResult(srid ?? 4326);
        }

        /// <summary>The layer's shape, in EPSG:4326, valid: repaired when it can be (and counted), else the reason.</summary>
        (Geometry? Geometry, string? Error) Geometry(long row, Geometry? source, CoordinateConversion conversion)
        {
            if (source is null) return (null, layer.GeometryRequired ? "no geometry" : null);
            var (shaped, error) = layer.Shape(source);
            if (shaped is null) return (null, error);
            if (conversion.Apply(shaped) is { } conversionError) return (null, conversionError);
            if (layer.Geometry == GeometryKind.Point || shaped.IsValid)
                return shaped is LineString { Length: 0 } ? (null, "a line needs two distinct points") : (shaped, null);
            if (layer.Geometry == GeometryKind.Line) return (null, $"invalid line: {new IsValidOp(shaped).ValidationError?.Message}");
            var why = new IsValidOp(shaped).ValidationError?.Message;
            if (request.NoRepair) return (null, $"invalid polygon ({why}); not repaired (--no-repair)");
            var fixedShape = layer.Shape(GeometryFixer.Fix(shaped)).Geometry;
            if (fixedShape is null || fixedShape.IsEmpty || !fixedShape.IsValid) return (null, $"invalid polygon that cannot be repaired ({why})");
            Repaired++;
            Warn(row, "geometry", RepairNote(shaped, fixedShape, why));
            fixedShape.SRID = 4326;
            return (fixedShape, null);
        }

        /// <summary>What a repair changed, for the row report: the fault and the parts it became.</summary>
        static string RepairNote(Geometry before, Geometry after, string? why)
        {
            var fault = why is { } w && w.Contains("intersection", StringComparison.OrdinalIgnoreCase) ? "self-intersecting polygon" : $"invalid polygon ({why})";
            var parts = after.NumGeometries == before.NumGeometries ? "repaired" : $"split into {after.NumGeometries} parts";
            return $"{fault} {parts}";
        }

        void Warn(long row, string field, string note)
        {
            if (Warnings.Count < request.MaxReportedRows) Warnings.Add(new BadRow(row, field, note));
        }

        /// <summary>A reason as the readers give it, "field: why" (else the row as a whole).</summary>
        void Bad(string error)
        {
            var colon = error.IndexOf(": ", StringComparison.Ordinal);
            if (colon > 0) Bad(error[..colon], error[(colon + 2)..]); else Bad("row", error);
        }

        void Bad(string field, string reason)
        {
            _badFields.Add(field);
            _badReasons.Add(reason);
        }
    }
}
