using GeoTwin.Server.Infrastructure.Db;
using Npgsql;

namespace GeoTwin.Server.Dispatch.Routing;

/// <summary>
/// The current road graph, rebuilt when the roads table's data version moves (an import, an edit, another node):
/// a reader that sees new roads also sees the new version, so a recommendation never runs on a replaced network.
/// One rebuild at a time; readers keep using the old graph until the new one is ready.
/// </summary>
public sealed class RoadGraphCache(NpgsqlDataSource db, DataVersions versions)
{
    static readonly string[] Tables = ["roads"];
    readonly SemaphoreSlim _building = new(1, 1);
    (string Version, RoadGraph Graph)? _current;

    public async Task<RoadGraph> GetAsync(CancellationToken ct)
    {
        var version = await versions.OfAsync(Tables, ct);
        if (_current is { } c && c.Version == version) return c.Graph;
        await _building.WaitAsync(ct);
        try
        {
            if (_current is { } again && again.Version == version) return again.Graph;
            var graph = await LoadAsync(db, ct);
            _current = (version, graph);
            return graph;
        }
        finally
        {
            _building.Release();
        }
    }

    public static async Task<RoadGraph> LoadAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        var rows = await db.Sql("Dispatch/Routing/roads.sql").ListAsync(r => new RoadRow(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2),
            r.Nullable<double?>(3), r.Nullable<double?>(4), r.GetFieldValue<double[]>(5)), ct);
        return new RoadGraph(rows);
    }
}
