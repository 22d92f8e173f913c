using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;
using Npgsql;

namespace GeoTwin.Server.Addresses;

/// <summary>一标三实 reads. Every query runs in a scoped session: rows outside the caller's jurisdiction do not exist for it.</summary>
public sealed class AddressesStore(ScopedDb db)
{
    public Task<List<AddressSummary>> SearchAsync(CurrentUser user, string text, int limit, CancellationToken ct) =>
        db.RunAsync(user, s => s.Sql("Addresses/search_addresses.sql", text, EscapeLike(text), limit).ListAsync(ReadAddress, ct), ct);

    public Task<List<SearchHit>> SearchEverythingAsync(CurrentUser user, string text, int limit, CancellationToken ct) =>
        db.RunAsync(user, s => s.Sql("Addresses/search.sql", text, EscapeLike(text), limit, Reordered(text) is { } other ? EscapeLike(other) : (object)DBNull.Value).ListAsync(r => new SearchHit(
            r.GetString(0), r.GetString(1), r.GetString(2), r.GetDouble(3), r.GetDouble(4)), ct), ct);

    /// <summary>Where a place said by its exact name is (a beach, square, hotel...): two hits when the name is not enough.</summary>
    public Task<List<NamedPlace>> PlacesNamedAsync(CurrentUser user, string name, CancellationToken ct) =>
        db.RunAsync(user, s => s.Sql("Addresses/place_by_name.sql", name).ListAsync(r => new NamedPlace(r.GetString(0), r.GetDouble(1), r.GetDouble(2)), ct), ct);

    /// <summary>
    /// The text with its house number moved to the other end ("19 Boulevard des Moulins" ↔ "Boulevard des Moulins 19"):
    /// people say addresses both ways, the registry writes the number last. Null when neither end is a number.
    /// </summary>
    public static string? Reordered(string text)
    {
        var m = System.Text.RegularExpressions.Regex.Match(text, @"^(\d+[A-Za-z]?)[\s,]+(\D.*)$");
        if (m.Success) return $"{m.Groups[2].Value.Trim()} {m.Groups[1].Value}";
        m = System.Text.RegularExpressions.Regex.Match(text, @"^(\D.*?)[\s,]+(\d+[A-Za-z]?)$");
        return m.Success ? $"{m.Groups[2].Value} {m.Groups[1].Value.Trim()}" : null;
    }

    public Task<AddressDetail?> FindAsync(CurrentUser user, string code, CancellationToken ct) =>
        db.RunAsync(user, async s =>
        {
            var address = await s.Sql("Addresses/address_by_code.sql", code).FirstOrDefaultAsync(ReadAddress, ct);
            return address is null ? null : new AddressDetail(address, await HousesAsync(s, code, ct));
        }, ct);

    public Task<HouseDetail?> HouseAsync(CurrentUser user, long id, CancellationToken ct) =>
        db.RunAsync(user, s => s.Sql("Addresses/house_by_id.sql", id).FirstOrDefaultAsync(r => new HouseDetail(
            r.GetInt64(0), r.GetString(1), r.Nullable<string>(2), r.Nullable<string>(3), r.GetString(4), r.Nullable<short?>(5),
            r.Nullable<int?>(6), r.GetFloat(7), r.GetFloat(8), r.GetInt32(9), r.GetInt32(10), r.GetInt32(11), r.GetInt32(12),
            r.GetDouble(13), r.GetDouble(14)), ct), ct);

    /// <summary>Resident counts of those of the houses that are in the caller's scope; the others are left out.</summary>
    public Task<List<HouseCounts>> CountsAsync(CurrentUser user, long[] ids, CancellationToken ct) =>
        db.RunAsync(user, s => s.Sql("Addresses/house_counts.sql", ids).ListAsync(r => new HouseCounts(
            r.GetInt64(0), r.GetInt32(1), r.GetInt32(2), r.GetInt32(3), r.GetInt32(4)), ct), ct);

    /// <returns>null when the house is unknown or out of scope; else its people. Either way the asking is audited in
    /// the same transaction (who asked for the people of which house, and how many were shown: none, too).</returns>
    public Task<List<PersonRecord>?> PeopleAsync(CurrentUser user, long houseId, HttpContext http, CancellationToken ct) =>
        db.RunAsync(user, async s =>
        {
            bool visible;
            await using (var house = s.Sql("Addresses/house_by_id.sql", houseId))
            await using (var reader = await house.ExecuteReaderAsync(ct))
                visible = await reader.ReadAsync(ct);
            var people = visible
                ? await s.Sql("Addresses/people_in_house.sql", houseId).ListAsync(r => new PersonRecord(
                    r.GetInt64(0), r.GetString(1), r.Nullable<string>(2), r.Nullable<string>(3), r.GetBoolean(4), r.GetBoolean(5),
                    r.GetFieldValue<DateOnly>(6), r.Nullable<DateOnly?>(7)), ct)
                : [];
            await Audit.RecordReadAsync(s, http, "person", people.Select(p => p.Id.ToString()).ToList(), new { houseId, houseVisible = visible }, ct);
            return visible ? people : null;
        }, ct);

    /// <returns>null when the address is unknown, out of scope, or (for a resident) not theirs</returns>
    public Task<QrPage?> QrPageAsync(CurrentUser user, string code, CancellationToken ct) =>
        db.RunAsync(user, async s =>
        {
            var address = await s.Sql("Addresses/address_by_code.sql", code).FirstOrDefaultAsync(ReadAddress, ct);
            if (address is null) return null;
            if (user.Role != Roles.Resident) return new QrPage(address, await HousesAsync(s, code, ct), false);
            var (linked, landlord) = await s.Sql("Addresses/resident_linked.sql", user.UserId, code)
                .FirstOrDefaultAsync(r => Tuple.Create(r.GetBoolean(0), r.GetBoolean(1)), ct) ?? Tuple.Create(false, false);
            return linked || landlord ? new QrPage(address, null, true, landlord) : null;
        }, ct);

    static Task<List<HouseSummary>> HousesAsync(ScopedSession s, string code, CancellationToken ct) =>
        s.Sql("Addresses/houses_at_address.sql", code).ListAsync(r => new HouseSummary(
            r.GetInt64(0), r.GetString(1), r.GetString(2), r.Nullable<short?>(3), r.GetInt32(4), r.GetInt32(5)), ct);

    static AddressSummary ReadAddress(NpgsqlDataReader r) => new(r.GetString(0), r.GetInt16(1), r.GetString(2),
        r.Nullable<string>(3), r.GetDouble(4), r.GetDouble(5), r.GetString(6));

    static string EscapeLike(string text) => text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");
}
