using GeoTwin.Server.Hotspots.Statistics;
using GeoTwin.Server.Infrastructure.Db;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Utilities;
using NetTopologySuite.Index.Strtree;
using NetTopologySuite.IO;
using Npgsql;

namespace GeoTwin.Server.Coverage.Visibility;

/// <summary>A camera row as the engine needs it (EPSG:4326).</summary>
public sealed record CameraRow(string Id, double Lon, double Lat, double MountHeightM, double? HeadingDeg, double FovDeg, double RangeM, string Kind)
{
    public CameraView In(LocalProjection frame)
    {
        var (x, y) = frame.Forward([Lon], [Lat]);
        return new CameraView(x[0], y[0], MountHeightM, HeadingDeg ?? 0, FovDeg, RangeM, CameraView.IsFullCircle(Kind, HeadingDeg, FovDeg));
    }
}

/// <summary>
/// Visibility polygons in PostGIS (camera_visibility, migration 0080), kept up to date from the coverage_changes queue
/// that triggers on cameras and houses fill. Every camera is computed in the local metric frame of its own place
/// (a Transverse Mercator about its position rounded to 0.1°, as the hot spots round theirs), so a camera's polygon
/// does not depend on which other cameras were computed with it: an incremental update equals a full recomputation.
/// Runs as GeoTwin's own login (no RLS), as jobs do.
/// </summary>
public static class VisibilityStore
{
    /// <summary>Recomputes what queued changes touch and every camera never computed; the number recomputed.</summary>
    public static Task<int> RefreshAsync(NpgsqlDataSource db, CancellationToken ct) => RecomputeAsync(db, "Coverage/Visibility/take_changes.sql", ct);

    /// <summary>Every camera from scratch (the reference the incremental path is tested against; also an admin's repair).</summary>
    public static Task<int> RecomputeAllAsync(NpgsqlDataSource db, CancellationToken ct) => RecomputeAsync(db, "Coverage/Visibility/all_cameras.sql", ct);

    /// <summary>The cameras the query names, recomputed in the query's own transaction (a failure leaves a taken queue queued).</summary>
    static async Task<int> RecomputeAsync(NpgsqlDataSource db, string idsSql, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var ids = await IdsAsync(conn, tx, idsSql, ct);
        await ComputeAsync(conn, tx, ids, ct);
        await tx.CommitAsync(ct);
        return ids.Count;
    }

    static async Task<List<string>> IdsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(EmbeddedSql.Get(sql), conn, tx);
        var ids = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            if (!reader.IsDBNull(0)) ids.Add(reader.GetString(0));
        return ids;
    }

    /// <summary>Computes and stores the given cameras' polygons in the caller's transaction (unknown ids are skipped).</summary>
    public static async Task ComputeAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        if (ids.Count == 0) return;
        var cameras = new List<CameraRow>();
        await using (var cmd = DbCommands.WithParameters(new NpgsqlCommand(EmbeddedSql.Get("Coverage/Visibility/cameras_for_visibility.sql"), conn, tx), [ids.ToArray()]))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                cameras.Add(new CameraRow(r.GetString(0), r.GetDouble(1), r.GetDouble(2), r.GetFloat(3), r.IsDBNull(4) ? null : r.GetFloat(4),
                    r.GetFloat(5), r.GetFloat(6), r.GetString(7)));
        if (cameras.Count == 0) return;

        var box = new Envelope();
        foreach (var c in cameras) box.ExpandToInclude(Reach(c));
        var houses = new List<(long Id, Geometry Footprint, double Height)>();
        await using (var cmd = DbCommands.WithParameters(new NpgsqlCommand(EmbeddedSql.Get("Coverage/Visibility/houses_near.sql"), conn, tx),
                         [box.MinX, box.MinY, box.MaxX, box.MaxY]))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                houses.Add((r.GetInt64(0), r.GetFieldValue<Geometry>(1), r.GetFloat(2)));

        var results = Compute(cameras, houses, ct);
        var writer = new WKBWriter();
        await using var write = DbCommands.WithParameters(new NpgsqlCommand(EmbeddedSql.Get("Coverage/Visibility/upsert_visibility.sql"), conn, tx),
            [results.Select(x => x.Id).ToArray(), results.Select(x => writer.Write(x.Polygon)).ToArray(), results.Select(x => x.AreaM2).ToArray()]);
        await write.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The polygons (EPSG:4326) and their areas in m², from rows already read; pure, no database.</summary>
    public static List<(string Id, Geometry Polygon, double AreaM2)> Compute(IReadOnlyList<CameraRow> cameras,
        IReadOnlyList<(long Id, Geometry Footprint, double Height)> houses, CancellationToken ct = default)
    {
        var index = new STRtree<int>();
        for (var i = 0; i < houses.Count; i++) index.Insert(houses[i].Footprint.EnvelopeInternal, i);
        index.Build(); // built once here: the parallel queries below then only read it

        // Serially: each camera's houses (sorted by id, so that they do not depend on the batch) and their footprints
        // projected once per frame, envelopes computed, so the parallel part reads shared geometry and never writes it.
        var frames = new Dictionary<(double, double), (LocalProjection Frame, Dictionary<int, Geometry> Houses)>();
        var work = new (CameraView View, LocalProjection Frame, List<Obstacle> Obstacles)[cameras.Count];
        for (var c = 0; c < cameras.Count; c++)
        {
            ct.ThrowIfCancellationRequested();
            var camera = cameras[c];
            var key = (Math.Round(camera.Lon, 1), Math.Round(camera.Lat, 1));
            if (!frames.TryGetValue(key, out var frame))
                frames[key] = frame = (new LocalProjection(key.Item1, key.Item2), new Dictionary<int, Geometry>());
            var near = index.Query(Reach(camera)).ToList();
            near.Sort();
            var obstacles = new List<Obstacle>(near.Count);
            foreach (var i in near)
            {
                if (!frame.Houses.TryGetValue(i, out var projected))
                {
                    frame.Houses[i] = projected = Project(houses[i].Footprint, frame.Frame, forward: true);
                    _ = projected.EnvelopeInternal;
                }
                obstacles.Add(new Obstacle(projected, houses[i].Height));
            }
            work[c] = (camera.In(frame.Frame), frame.Frame, obstacles);
        }

        // Each camera on its own: a camera's polygon depends only on its own houses, so cameras run in parallel.
        var results = new (string, Geometry, double)[cameras.Count];
        Parallel.For(0, cameras.Count, new ParallelOptions { CancellationToken = ct }, c =>
        {
            var factory = new GeometryFactory(); // NTS factories are cheap; one per camera keeps threads apart
            var polygon = Viewshed.Compute(work[c].View, work[c].Obstacles, factory);
            // Valid in metres, the polygon may not stay valid in degrees: the projection's last-digit rounding can push a
            // vertex that the union left exactly on another ring's edge across it. Such slivers are repaired.
            Geometry back;
            lock (work[c].Frame) back = Project(polygon, work[c].Frame, forward: false); // ProjNet's transforms are not documented thread-safe
            if (!back.IsValid) back = GeometryFixer.Fix(back);
            results[c] = (cameras[c].Id, back, polygon.Area);
        });
        return [.. results];
    }

    /// <summary>The box (degrees) a camera can see into, a little wider than its range.</summary>
    public static Envelope Reach(CameraRow c)
    {
        var dLat = c.RangeM * 1.01 / 110_574;
        var dLon = c.RangeM * 1.01 / (111_320 * Math.Max(Math.Cos(c.Lat * Math.PI / 180), 0.01));
        return new Envelope(c.Lon - dLon, c.Lon + dLon, c.Lat - dLat, c.Lat + dLat);
    }

    /// <summary>A copy of the geometry in the frame (forward) or back in lon/lat.</summary>
    public static Geometry Project(Geometry g, LocalProjection frame, bool forward)
    {
        var copy = g.Copy();
        copy.Apply(new Reprojection(frame, forward));
        copy.GeometryChanged();
        copy.SRID = forward ? 0 : 4326;
        return copy;
    }

    sealed class Reprojection(LocalProjection frame, bool forward) : ICoordinateSequenceFilter
    {
        public bool Done => false;
        public bool GeometryChanged => true;
        public void Filter(CoordinateSequence seq, int i)
        {
            if (i != 0) return; // the whole sequence at its first coordinate
            var xs = new double[seq.Count];
            var ys = new double[seq.Count];
            for (var k = 0; k < seq.Count; k++) { xs[k] = seq.GetX(k); ys[k] = seq.GetY(k); }
            var (px, py) = forward ? frame.Forward(xs, ys) : frame.Inverse(xs, ys);
            for (var k = 0; k < seq.Count; k++) { seq.SetX(k, px[k]); seq.SetY(k, py[k]); }
        }
    }
}
