using Npgsql;
using NpgsqlTypes;

namespace GeoTwin.DataImport.Demo;

/// <summary>Writes a built demo with binary COPY inside the caller's transaction. Rows name each other by
/// code; the ids PostgreSQL gives are read back once per table to link them.</summary>
static class DemoWriter
{
    public static async Task WriteAsync(NpgsqlConnection conn, DemoModel m, Action<string, double> progress, CancellationToken ct)
    {
        progress("jurisdictions", 0);
        var jurisdiction = new Dictionary<string, long>();
        foreach (var j in m.Tree.Rows())
        {
            await using var cmd = new NpgsqlCommand(DemoJurisdiction.Sql("insert_jurisdiction.sql"), conn);
            cmd.Parameters.Add(new() { Value = j.Code });
            cmd.Parameters.Add(new() { Value = j.Kind });
            cmd.Parameters.Add(new() { Value = j.Name });
            cmd.Parameters.Add(new() { Value = j.NameEn });
            cmd.Parameters.Add(new() { Value = j.ParentCode is null ? DBNull.Value : jurisdiction[j.ParentCode], NpgsqlDbType = NpgsqlDbType.Bigint });
            cmd.Parameters.Add(new() { Value = j.Boundary });
            // the bureau's clock (hot spot hours and weekdays): set on the root, inherited below
            cmd.Parameters.Add(new() { Value = j.ParentCode is null ? JurisdictionTree.TimeZone : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            jurisdiction[j.Code] = (long)(await cmd.ExecuteScalarAsync(ct))!;
        }

        progress("roads", 0.1);
        await CopyAsync(conn, "COPY roads (source_ref, name, road_class, speed_kmh, oneway, geom, source, target) FROM STDIN (FORMAT BINARY)",
            m.Roads.Edges, async (w, e) =>
            {
                await w.WriteAsync(e.SourceRef, ct);
                await WriteNullableAsync(w, e.Name, ct);
                await w.WriteAsync(e.RoadClass, ct);
                await w.WriteAsync((float)e.SpeedKmh, NpgsqlDbType.Real, ct);
                await w.WriteAsync(e.Oneway, NpgsqlDbType.Smallint, ct);
                await w.WriteAsync(e.Geometry, ct);
                await w.WriteAsync(e.Source, NpgsqlDbType.Bigint, ct);
                await w.WriteAsync(e.Target, NpgsqlDbType.Bigint, ct);
            }, ct);

        progress("addresses", 0.25);
        await CopyAsync(conn, "COPY addresses (code, element_type, parent_code, full_text, door_number, location, jurisdiction_id, community_id) FROM STDIN (FORMAT BINARY)",
            m.Registry.Addresses, async (w, a) =>
            {
                await w.WriteAsync(a.Code, ct);
                await w.WriteAsync(a.ElementType, NpgsqlDbType.Smallint, ct);
                await WriteNullableAsync(w, a.ParentCode, ct);
                await w.WriteAsync(a.FullText, ct);
                await WriteNullableAsync(w, a.DoorNumber, ct);
                await w.WriteAsync(a.Location, ct);
                await w.WriteAsync(jurisdiction[a.AreaCode], NpgsqlDbType.Bigint, ct);
                await WriteIdAsync(w, a.CommunityCode is null ? null : jurisdiction[a.CommunityCode], ct);
            }, ct);
        var address = await IdsAsync(conn, "SELECT code, id FROM addresses", ct);

        progress("houses", 0.4);
        await CopyAsync(conn, """
            COPY houses (code, address_id, footprint, base_height_m, roof_height_m, floors, use, ownership, rooms, area_m2,
                         residents_total, residents_registered, residents_floating, residents_foreign, jurisdiction_id, community_id)
            FROM STDIN (FORMAT BINARY)
            """, m.Registry.Houses, async (w, h) =>
            {
                await w.WriteAsync(h.Code, ct);
                await w.WriteAsync(address[h.AddressCode], NpgsqlDbType.Bigint, ct);
                await w.WriteAsync(h.Footprint, ct);
                await w.WriteAsync((float)h.BaseM, NpgsqlDbType.Real, ct);
                await w.WriteAsync((float)h.RoofM, NpgsqlDbType.Real, ct);
                if (h.Floors is { } f) await w.WriteAsync((short)f, NpgsqlDbType.Smallint, ct); else await w.WriteNullAsync(ct);
                await w.WriteAsync(h.Use, ct);
                await w.WriteAsync(h.Ownership, ct);
                await w.WriteAsync(h.Rooms, NpgsqlDbType.Integer, ct);
                await w.WriteAsync((float)h.AreaM2, NpgsqlDbType.Real, ct);
                await w.WriteAsync(h.Total, NpgsqlDbType.Integer, ct);
                await w.WriteAsync(h.Total - h.Floating, NpgsqlDbType.Integer, ct);
                await w.WriteAsync(h.Floating, NpgsqlDbType.Integer, ct);
                await w.WriteAsync(h.Foreign, NpgsqlDbType.Integer, ct);
                await w.WriteAsync(jurisdiction[h.AreaCode], NpgsqlDbType.Bigint, ct);
                await w.WriteAsync(jurisdiction[h.CommunityCode], NpgsqlDbType.Bigint, ct);
            }, ct);

        progress("people", 0.5);
        // the houses were written with their counts, which these rows match exactly: the counting trigger (0091) is
        // off for the load so they are not counted twice
        await using (var off = new NpgsqlCommand("ALTER TABLE people DISABLE TRIGGER people_counts", conn)) await off.ExecuteNonQueryAsync(ct);
        var house = await IdsAsync(conn, "SELECT code, id FROM houses", ct);
        await CopyAsync(conn, """
            COPY people (house_id, floating, foreign_national, arrived_on, registered_by, jurisdiction_id, registered_on, registration_due_on)
            FROM STDIN (FORMAT BINARY)
            """, m.People, async (w, p) =>
            {
                await w.WriteAsync(house[p.HouseCode], NpgsqlDbType.Bigint, ct);
                await w.WriteAsync(p.Floating, ct);
                await w.WriteAsync(p.Foreign, ct);
                await w.WriteAsync(p.ArrivedOn, NpgsqlDbType.Date, ct);
                await w.WriteAsync("demo-generated", ct);
                await w.WriteAsync(jurisdiction[p.AreaCode], NpgsqlDbType.Bigint, ct);
                if (p.RegisteredOn is { } r) await w.WriteAsync(r, NpgsqlDbType.Date, ct); else await w.WriteNullAsync(ct);
                if (p.RegistrationDueOn is { } d) await w.WriteAsync(d, NpgsqlDbType.Date, ct); else await w.WriteNullAsync(ct);
            }, ct);
        await using (var on = new NpgsqlCommand("ALTER TABLE people ENABLE TRIGGER people_counts", conn)) await on.ExecuteNonQueryAsync(ct);
        // ids come in the order the rows were copied (an empty table's identity)
        var personIds = new List<long>(m.People.Count);
        await using (var ids = new NpgsqlCommand("SELECT id FROM people ORDER BY id", conn))
        await using (var reader = await ids.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) personIds.Add(reader.GetInt64(0));
        await CopyAsync(conn, "COPY people_identity (person_id, full_name, id_number, phone) FROM STDIN (FORMAT BINARY)",
            m.People.Select((p, i) => (Id: personIds[i], p)), async (w, x) =>
            {
                await w.WriteAsync(x.Id, NpgsqlDbType.Bigint, ct);
                await w.WriteAsync(x.p.FullName, ct);
                await w.WriteAsync(x.p.IdNumber, ct);
                await w.WriteAsync(x.p.Phone, ct);
            }, ct);

        progress("organizations", 0.55);
        await CopyAsync(conn, "COPY organizations (code, name, category, address_id, location, jurisdiction_id, community_id) FROM STDIN (FORMAT BINARY)",
            m.Registry.Organizations, async (w, o) =>
            {
                await w.WriteAsync(o.Code, ct);
                await w.WriteAsync(o.Name, ct);
                await w.WriteAsync(o.Category, ct);
                await WriteIdAsync(w, o.AddressCode is null ? null : address[o.AddressCode], ct);
                await w.WriteAsync(o.Location, ct);
                await w.WriteAsync(jurisdiction[o.AreaCode], NpgsqlDbType.Bigint, ct);
                await w.WriteAsync(jurisdiction[o.CommunityCode], NpgsqlDbType.Bigint, ct);
            }, ct);

        await CopyAsync(conn, "COPY places (code, name, kind, location, jurisdiction_id) FROM STDIN (FORMAT BINARY)",
            m.Registry.Places, async (w, p) =>
            {
                await w.WriteAsync(p.Code, ct);
                await w.WriteAsync(p.Name, ct);
                await w.WriteAsync(p.Kind, ct);
                await w.WriteAsync(p.Location, ct);
                await w.WriteAsync(jurisdiction[p.AreaCode], NpgsqlDbType.Bigint, ct);
            }, ct);

        progress("cameras", 0.6);
        await CopyAsync(conn, """
            COPY cameras (id, name, location, mount_height_m, heading_deg, fov_deg, range_m, kind, owner, source_ref, jurisdiction_id)
            FROM STDIN (FORMAT BINARY)
            """, m.Cameras, async (w, c) =>
            {
                await w.WriteAsync(c.Id, ct);
                await w.WriteAsync(c.Name, ct);
                await w.WriteAsync(c.Location, ct);
                await w.WriteAsync((float)c.MountHeightM, NpgsqlDbType.Real, ct);
                if (c.HeadingDeg is { } h) await w.WriteAsync((float)h, NpgsqlDbType.Real, ct); else await w.WriteNullAsync(ct);
                await w.WriteAsync((float)c.FovDeg, NpgsqlDbType.Real, ct);
                await w.WriteAsync((float)c.RangeM, NpgsqlDbType.Real, ct);
                await w.WriteAsync(c.Kind, ct);
                await w.WriteAsync(c.Owner, ct);
                await WriteNullableAsync(w, c.SourceRef, ct);
                await w.WriteAsync(jurisdiction[c.AreaCode], NpgsqlDbType.Bigint, ct);
            }, ct);

        progress("police units", 0.65);
        await CopyAsync(conn, """
            COPY police_units (call_sign, kind, device_id, capabilities, status, status_changed_at, status_changed_by, jurisdiction_id,
                               last_fix_at, last_position, last_speed_kmh, last_heading_deg, last_accuracy_m)
            FROM STDIN (FORMAT BINARY)
            """, m.Units, async (w, u) =>
            {
                await w.WriteAsync(u.CallSign, ct);
                await w.WriteAsync(u.Kind, ct);
                await w.WriteAsync(u.DeviceId, ct);
                await w.WriteAsync(u.Capabilities, NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
                await w.WriteAsync(u.Status, ct);
                await w.WriteAsync(m.UntilUtc, NpgsqlDbType.TimestampTz, ct);
                await w.WriteAsync("demo", ct);
                await w.WriteAsync(jurisdiction[u.StationCode], NpgsqlDbType.Bigint, ct);
                await w.WriteAsync(m.UntilUtc, NpgsqlDbType.TimestampTz, ct);
                await w.WriteAsync(u.Position, ct);
                await w.WriteAsync(0f, NpgsqlDbType.Real, ct);
                await w.WriteAsync((float)(u.HeadingDeg % 360), NpgsqlDbType.Real, ct);
                await w.WriteAsync(5f, NpgsqlDbType.Real, ct);
            }, ct);
        var unit = await IdsAsync(conn, "SELECT call_sign, id FROM police_units", ct);

        progress("incidents", 0.7);
        await CopyAsync(conn, """
            COPY incidents (code, category, priority, description, location, address_id, status, received_at, first_dispatch_at,
                            first_arrival_at, closed_at, disposition, source, jurisdiction_id, community_id, updated_at)
            FROM STDIN (FORMAT BINARY)
            """, m.Incidents, async (w, i) =>
            {
                await w.WriteAsync(i.Code, ct);
                await w.WriteAsync(i.Category, ct);
                await w.WriteAsync(i.Priority, NpgsqlDbType.Smallint, ct);
                await w.WriteAsync(i.Description, ct);
                await w.WriteAsync(i.Location, ct);
                await WriteIdAsync(w, i.AddressCode is null ? null : address[i.AddressCode], ct);
                await w.WriteAsync(i.Status, ct);
                await w.WriteAsync(i.ReceivedUtc, NpgsqlDbType.TimestampTz, ct);
                await WriteTimeAsync(w, i.DispatchUtc, ct);
                await WriteTimeAsync(w, i.ArrivalUtc, ct);
                await WriteTimeAsync(w, i.ClosedUtc, ct);
                await WriteNullableAsync(w, i.ClosedUtc is null ? null : "已处置", ct);
                await w.WriteAsync("demo", ct);
                await w.WriteAsync(jurisdiction[i.AreaCode], NpgsqlDbType.Bigint, ct);
                await w.WriteAsync(jurisdiction[i.CommunityCode], NpgsqlDbType.Bigint, ct);
                await w.WriteAsync(i.ClosedUtc ?? i.ReceivedUtc, NpgsqlDbType.TimestampTz, ct);
            }, ct);
        var incident = await IdsAsync(conn, "SELECT code, id FROM incidents", ct);

        progress("incident events", 0.8);
        var events = m.Incidents.SelectMany(i => new (IncidentRow Incident, string Kind, DateTime? At)[]
        {
            (i, "intake", i.ReceivedUtc), (i, "dispatch", i.DispatchUtc), (i, "arrival", i.ArrivalUtc), (i, "close", i.ClosedUtc),
        }).Where(e => e.At is not null).ToList();
        await CopyAsync(conn, "COPY incident_events (incident_id, at, actor, kind, unit_id, details) FROM STDIN (FORMAT BINARY)",
            events, async (w, e) =>
            {
                await w.WriteAsync(incident[e.Incident.Code], NpgsqlDbType.Bigint, ct);
                await w.WriteAsync(e.At!.Value, NpgsqlDbType.TimestampTz, ct);
                await w.WriteAsync(e.Kind == "intake" ? "110" : "demo", ct);
                await w.WriteAsync(e.Kind, ct);
                await WriteIdAsync(w, e.Kind == "intake" || e.Incident.UnitCallSign is null ? null : unit[e.Incident.UnitCallSign], ct);
                await w.WriteAsync(e.Kind == "intake" ? """{"channel": "110", "source": "demo"}""" : """{"source": "demo"}""", NpgsqlDbType.Jsonb, ct);
            }, ct);
        progress("warning places", 0.95);
        await CopyAsync(conn, "COPY warning_places (code, kind, name, name_en, boundary, street, source, jurisdiction_id) FROM STDIN (FORMAT BINARY)",
            m.WarningPlaces, async (w, p) =>
            {
                await w.WriteAsync(p.Code, ct);
                await w.WriteAsync(p.Kind, ct);
                await w.WriteAsync(p.Name, ct);
                await w.WriteAsync(p.NameEn, ct);
                await w.WriteAsync(p.Boundary, ct);
                if (p.Street is { } street) await w.WriteAsync(street, ct); else await w.WriteNullAsync(ct);
                await w.WriteAsync("demo", ct);
                await w.WriteAsync(jurisdiction[p.AreaCode], NpgsqlDbType.Bigint, ct);
            }, ct);
        var place = await IdsAsync(conn, "SELECT code, id FROM warning_places", ct);
        await CopyAsync(conn, "COPY warning_place_people (place_id, role, full_name, phone) FROM STDIN (FORMAT BINARY)",
            m.WarningPeople, async (w, p) =>
            {
                await w.WriteAsync(place[p.PlaceCode], NpgsqlDbType.Bigint, ct);
                await w.WriteAsync(p.Role, ct);
                await w.WriteAsync(p.FullName, ct);
                await w.WriteAsync(p.Phone, ct);
            }, ct);
        progress("done", 1);
    }

    static async Task CopyAsync<T>(NpgsqlConnection conn, string copy, IEnumerable<T> rows, Func<NpgsqlBinaryImporter, T, Task> write, CancellationToken ct)
    {
        await using var importer = await conn.BeginBinaryImportAsync(copy, ct);
        foreach (var row in rows)
        {
            await importer.StartRowAsync(ct);
            await write(importer, row);
        }
        await importer.CompleteAsync(ct);
    }

    static async Task<Dictionary<string, long>> IdsAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        var ids = new Dictionary<string, long>();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ids[reader.GetString(0)] = reader.GetInt64(1);
        return ids;
    }

    static Task WriteNullableAsync(NpgsqlBinaryImporter w, string? value, CancellationToken ct) =>
        value is null ? w.WriteNullAsync(ct) : w.WriteAsync(value, NpgsqlDbType.Text, ct);

    static Task WriteIdAsync(NpgsqlBinaryImporter w, long? id, CancellationToken ct) =>
        id is { } v ? w.WriteAsync(v, NpgsqlDbType.Bigint, ct) : w.WriteNullAsync(ct);

    static Task WriteTimeAsync(NpgsqlBinaryImporter w, DateTime? at, CancellationToken ct) =>
        at is { } v ? w.WriteAsync(v, NpgsqlDbType.TimestampTz, ct) : w.WriteNullAsync(ct);
}
