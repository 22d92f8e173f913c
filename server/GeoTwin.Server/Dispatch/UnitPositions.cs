using GeoTwin.Server.Infrastructure.Db;
using Npgsql;

namespace GeoTwin.Server.Dispatch;

public sealed record UnitPosition(long Id, string CallSign, string Kind, string[] Capabilities, string Status, double? Lon, double? Lat,
    DateTime? FixAt, string JurisdictionPath);

/// <summary>
/// Where every unit is and what it is doing: the one thing Dispatch needs from Live. Until Live's in-memory
/// positions land this reads police_units; then Live registers its own implementation in place of this one.
/// </summary>
public interface IUnitPositions
{
    Task<IReadOnlyList<UnitPosition>> AllAsync(CancellationToken ct);
}

/// <summary>Units as police_units holds them (last_position, last_fix_at, status).</summary>
public sealed class PoliceUnitsTable(NpgsqlDataSource db) : IUnitPositions
{
    public async Task<IReadOnlyList<UnitPosition>> AllAsync(CancellationToken ct) =>
        await db.Sql("Dispatch/units.sql").ListAsync(r => new UnitPosition(r.GetInt64(0), r.GetString(1), r.GetString(2),
            r.GetFieldValue<string[]>(3), r.GetString(4), r.Nullable<double?>(5), r.Nullable<double?>(6), r.Nullable<DateTime?>(7),
            r.GetString(8)), ct);
}
