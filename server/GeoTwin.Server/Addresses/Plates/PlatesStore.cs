using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Infrastructure.Errors;
using Npgsql;

namespace GeoTwin.Server.Addresses.Plates;

/// <summary>Door plates: what a scan names, the plates staff print, and reissuing (which revokes the older plates).</summary>
public sealed class PlatesStore(NpgsqlDataSource db, ScopedDb scoped, PlateSigner signer)
{
    public const int MaxSheet = 500;

    /// <summary>
    /// What an anonymous scan may learn: the address written on the plate, and nothing at all unless the plate is one
    /// GeoTwin signed (so the open endpoint is no way to probe which codes exist). Read with GeoTwin's own login: the
    /// scanner has no jurisdiction, the signature is the permission.
    /// </summary>
    public async Task<PlateScan> ScanAsync(string code, int version, string signature, CancellationToken ct)
    {
        if (!await signer.VerifyAsync(code, version, signature, ct))
            throw new Refusal(403, "s: the plate's signature does not match its code and version: this is not a plate GeoTwin printed", "s");
        await using var cmd = db.Sql("Addresses/Plates/plate_address.sql", code);
        var plate = await cmd.FirstOrDefaultAsync(Read, ct)
            ?? throw new Refusal(404, $"code: no address has code '{code}' (the plate names an address that has been removed)", "code");
        if (plate.Status != "active")
            throw new Refusal(410, $"code: the address '{code}' has been cancelled; its plate is no longer valid", "code");
        if (version < plate.Version)
            throw new Refusal(410, $"v: this plate (version {version}) was revoked when version {plate.Version} was printed on {plate.ReissuedAt:yyyy-MM-dd}; scan the new plate", "v",
                new Dictionary<string, object?> { ["currentVersion"] = plate.Version });
        if (version > plate.Version)
            throw new Refusal(404, $"v: no plate version {version} has been printed for this address (the latest is {plate.Version})", "v");
        return new PlateScan(plate.Code, plate.ElementType, plate.FullText, plate.DoorNumber, plate.Version);
    }

    /// <summary>The plate of one address the caller sees, with its signed URL.</summary>
    public async Task<(PlateText Plate, string Url)> PlateAsync(CurrentUser user, string baseUrl, string code, CancellationToken ct)
    {
        var plate = await scoped.RunAsync(user, s => s.Sql("Addresses/Plates/plate_address.sql", code).FirstOrDefaultAsync(Read, ct), ct)
            ?? throw new Refusal(404, $"code: no address you may see has code '{code}'", "code");
        if (plate.Status != "active") throw Refusal.Unprocessable($"code: the address '{code}' is cancelled: it gets no plate", "code");
        return (plate, await signer.UrlAsync(baseUrl, plate.Code, plate.Version, ct));
    }

    /// <summary>The plates of an address and everything below it (a building's rooms, a compound's buildings, a street's doors).</summary>
    public async Task<List<(PlateText Plate, string Url)>> SheetAsync(CurrentUser user, string baseUrl, string within, CancellationToken ct)
    {
        var (exists, plates) = await scoped.RunAsync(user, async s =>
        {
            var top = await s.Sql("Addresses/Plates/plate_address.sql", within).FirstOrDefaultAsync(Read, ct);
            return (top is not null, top is null ? [] : await s.Sql("Addresses/Plates/plate_sheet.sql", within, MaxSheet).ListAsync(Read, ct));
        }, ct);
        if (!exists) throw new Refusal(404, $"within: no address you may see has code '{within}'", "within");
        if (plates.Count == 0) throw Refusal.Unprocessable($"within: no active address at or below '{within}' has a door number, so there is no plate to print", "within");
        if (plates.Count > MaxSheet) throw Refusal.Unprocessable($"within: more than {MaxSheet} plates at or below '{within}'; print a building or compound at a time", "within");
        var sheet = new List<(PlateText, string)>(plates.Count);
        foreach (var p in plates) sheet.Add((p, await signer.UrlAsync(baseUrl, p.Code, p.Version, ct)));
        return sheet;
    }

    /// <summary>A new plate version: every plate printed before it answers 410 from now on.</summary>
    public async Task<PlateIssued> ReissueAsync(CurrentUser user, string baseUrl, string code, CancellationToken ct)
    {
        var issued = await scoped.RunAsync(user, async s =>
        {
            var plate = await s.Sql("Addresses/Plates/plate_address.sql", code).FirstOrDefaultAsync(Read, ct);
            if (plate is null) return null;
            if (plate.Status != "active") throw Refusal.Unprocessable($"code: the address '{code}' is cancelled: it gets no plate", "code");
            return await s.Sql("Addresses/Plates/reissue_plate.sql", code, user.Name).FirstOrDefaultAsync(
                r => new PlateIssued(code, r.GetInt32(0), r.GetFieldValue<DateTimeOffset>(1), ""), ct);
        }, ct) ?? throw new Refusal(404, $"code: no address you may see has code '{code}'", "code");
        return issued with { Url = await signer.UrlAsync(baseUrl, code, issued.Version, ct) };
    }

    static PlateText Read(NpgsqlDataReader r) => new(r.GetString(0), r.GetInt16(1), r.GetString(2), r.Nullable<string>(3), r.GetString(4),
        r.GetInt32(5), r.IsDBNull(6) ? null : r.GetFieldValue<DateTimeOffset>(6));
}

/// <summary>What any scanner of a genuine, current plate may see: what is written on it.</summary>
public sealed record PlateScan(string Code, int ElementType, string FullText, string? DoorNumber, int PlateVersion);
public sealed record PlateIssued(string Code, int Version, DateTimeOffset ReissuedAt, string Url);
