using GeoTwin.DataImport.Import.Layers;
using Npgsql;

namespace GeoTwin.DataImport.Import;

/// <summary>
/// A scoped import (an import token or a station's user; the CLI with --jurisdiction) writes only inside one subtree
/// of the jurisdiction tree. Rows placed outside it, and rows whose key is stored outside it, are bad rows under the
/// usual all-or-nothing rule, marked set-based like every other check (Import/Checks/scope*.sql).
/// </summary>
public static class ImportScope
{
    /// <summary>A layer with no jurisdiction (the road network every station routes on) is for unscoped imports only.</summary>
    public static void CheckLayer(Layer layer, string? scope)
    {
        if (scope is not null && layer.Placement == Placement.None && layer != LayerCatalog.Jurisdictions)
            throw new ImportRefusedException($"the {layer.Name} layer is shared by every station: only an unscoped import (an admin, or the server's CLI) may write it");
    }

    /// <summary>The path of a jurisdiction by its code (the CLI's --jurisdiction), refused by name when there is none.</summary>
    public static async Task<string> PathOfAsync(NpgsqlDataSource db, string code, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT path::text FROM jurisdictions WHERE code = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = code });
        return await cmd.ExecuteScalarAsync(ct) as string ?? throw new ImportRefusedException($"no jurisdiction with code '{code}'");
    }

    /// <summary>Marks the staged rows outside the scope (an ltree path) as bad, naming the scope by its code.</summary>
    internal static async Task MarkOutsideAsync(NpgsqlConnection conn, Layer layer, string scope, CancellationToken ct)
    {
        string? code;
        await using (var find = new NpgsqlCommand("SELECT code FROM jurisdictions WHERE path = $1::ltree", conn))
        {
            find.Parameters.Add(new NpgsqlParameter { Value = scope });
            code = await find.ExecuteScalarAsync(ct) as string;
        }
        // The caller's own node was deleted since it signed in or its token was issued: nothing is inside.
        if (code is null) throw new ImportRefusedException("the jurisdiction this import is scoped to no longer exists");
        var sql = layer == LayerCatalog.Jurisdictions
            ? EmbeddedSql.Get("Import/Checks/scope_tree.sql")
            : EmbeddedSql.Get("Import/Checks/scope.sql").Replace("{table}", layer.Table).Replace("{key}", layer.Key);
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        cmd.Parameters.Add(new NpgsqlParameter { Value = scope });
        cmd.Parameters.Add(new NpgsqlParameter { Value = code });
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
