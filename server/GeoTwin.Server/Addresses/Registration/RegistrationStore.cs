using System.Text.Json;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Infrastructure.Errors;
using Npgsql;

namespace GeoTwin.Server.Addresses.Registration;

/// <summary>
/// 人来登记、人走注销: declarations at a door plate, the landlord's confirmation, the officer's approval, and the
/// registration it makes or ends. Every step is one scoped transaction (row-level security of migration 0091): a
/// refusal anywhere leaves nothing written, and the house's counts change with the people row (trigger).
/// </summary>
public sealed class RegistrationStore(ScopedDb db, IConfiguration config)
{
    public const int MaxList = 200;
    public static readonly string[] Waiting = ["awaiting_landlord", "awaiting_officer"];

    /// <summary>Working days a declaration is due in after the arrival or departure (GeoTwin:Registration:DueWorkingDays).</summary>
    public int DueWorkingDays => config.GetValue("GeoTwin:Registration:DueWorkingDays", 3);

    /// <summary>A scoped session that also tells the 0091 policies who the caller is.</summary>
    Task<T> RunAsync<T>(CurrentUser user, Func<ScopedSession, Task<T>> work, CancellationToken ct) =>
        db.RunAsync(user, async s =>
        {
            await using (var set = s.Sql("Addresses/Registration/set_user.sql", user.UserId?.ToString() ?? ""))
                await set.ExecuteNonQueryAsync(ct);
            return await work(s);
        }, ct);

    sealed record Place(long AddressId, string Status, long? HouseId, long? HouseJurisdiction, bool Linked, bool Landlord, bool HasLandlord, DateOnly Today);

    /// <summary>A resident's declaration at an address they are linked to (the plate was checked by the caller).</summary>
    public async Task<Declaration> DeclareAsync(CurrentUser user, string code, DeclarationInput input, HttpContext http, CancellationToken ct)
    {
        if (user.Role != Roles.Resident)
            throw new Refusal(403, $"role: declarations are made by residents at their plate; your role ({user.Role}) approves or views them", "role");
        var kind = input.Kind is "arrival" or "departure" ? input.Kind : throw Refusal.BadRequest("kind", "must be 'arrival' or 'departure'");
        var subject = input.Subject is "self" or "tenant" ? input.Subject : throw Refusal.BadRequest("subject", "must be 'self' or 'tenant'");
        if (Problems.CheckText(input.FullName, 100) is { } nameProblem) throw Refusal.BadRequest("fullName", nameProblem);
        var phone = CheckPhone(input.Phone, required: kind == "arrival");

        return await RunAsync(user, async s =>
        {
            var place = await s.Sql("Addresses/Registration/declaration_place.sql", code, user.UserId).FirstOrDefaultAsync(r => new Place(
                r.GetInt64(0), r.GetString(1), r.Nullable<long?>(2), r.Nullable<long?>(3), r.GetBoolean(4), r.GetBoolean(5), r.GetBoolean(6),
                r.GetFieldValue<DateOnly>(7)), ct);
            if (place is null || !(place.Linked || place.Landlord))
                throw new Refusal(404, $"code: '{code}' is not an address you are registered at; ask your community officer to link you to it", "code");
            if (place.Status != "active") throw Refusal.Unprocessable($"code: the address '{code}' is cancelled", "code");
            if (place.HouseId is not { } houseId) throw Refusal.Unprocessable($"code: no house is recorded at '{code}', so nobody can be registered there", "code");

            var idNumber = CheckIdNumber(input.IdNumber, place.Today);
            var arrived = CheckDate("arrivedOn", input.ArrivedOn, place.Today, required: kind == "arrival");
            var expected = CheckDate("expectedLeaveOn", input.ExpectedLeaveOn, null, required: false);
            var left = kind == "departure" ? CheckDate("leftOn", input.LeftOn, place.Today, required: true) : null;

            var (personId, registeredArrival, registered) = await s.Sql("Addresses/Registration/registered_person.sql", houseId, idNumber)
                .FirstOrDefaultAsync(r => Tuple.Create((long?)r.GetInt64(0), (DateOnly?)r.GetFieldValue<DateOnly>(1), r.GetBoolean(2)), ct)
                ?? Tuple.Create((long?)null, (DateOnly?)null, false);
            if (kind == "arrival")
            {
                if (personId is not null && registered)
                    throw new Refusal(409, $"idNumber: this person is already registered at '{code}' (since {registeredArrival:yyyy-MM-dd}); declare their departure first", "idNumber");
                if (expected is { } e && e < arrived) throw Refusal.BadRequest("expectedLeaveOn", $"{e:yyyy-MM-dd} is before the arrival ({arrived:yyyy-MM-dd})");
            }
            else
            {
                if (personId is null)
                    throw new Refusal(422, $"idNumber: nobody with this ID number is registered at '{code}', so there is no departure to declare", "idNumber");
                arrived ??= registeredArrival;
                if (arrived != registeredArrival)
                    throw Refusal.BadRequest("arrivedOn", $"does not match the registration ({registeredArrival:yyyy-MM-dd}); leave it out for a departure");
                if (left < arrived) throw Refusal.BadRequest("leftOn", $"{left:yyyy-MM-dd} is before the arrival ({arrived:yyyy-MM-dd})");
                expected = null;
            }

            var status = place.HasLandlord && !place.Landlord ? "awaiting_landlord" : "awaiting_officer";
            var due = WorkingDays.Add(left ?? arrived!.Value, DueWorkingDays);
            long id;
            try
            {
                await using var insert = s.Sql("Addresses/Registration/insert_declaration.sql", kind, subject, place.AddressId, houseId,
                    kind == "departure" ? personId : null, input.FullName!.Trim(), idNumber, phone, ResidentIdNumber.IsForeignPermanentResident(idNumber),
                    arrived!.Value, expected, left, due, status, user.UserId, user.Name, place.HouseJurisdiction);
                id = (long)(await insert.ExecuteScalarAsync(ct))!;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                throw new Refusal(409, $"idNumber: a {kind} of this person at '{code}' is already waiting for a decision", "idNumber");
            }
            await EventAsync(s, id, "declared", null, user, ct);
            return await OneAsync(s, id, user, http, ct);
        }, ct);
    }

    /// <summary>The landlord confirms (or rejects) a tenant declared at their house.</summary>
    public Task<Declaration> LandlordDecideAsync(CurrentUser user, long id, bool confirm, string? reason, HttpContext http, CancellationToken ct) =>
        RunAsync(user, async s =>
        {
            var d = await LockAsync(s, id, user, ct);
            if (!d.CallerIsLandlord) throw new Refusal(403, $"id: you are not the landlord of the house declaration {id} is at", "id");
            if (d.Status != "awaiting_landlord") throw new Refusal(409, $"status: declaration {id} is {d.Status}, not waiting for the landlord", "status");
            await Decide(s, id, confirm ? "awaiting_officer" : "rejected", null, ct);
            await EventAsync(s, id, confirm ? "confirmed" : "rejected", reason, user, ct);
            return await OneAsync(s, id, user, http, ct);
        }, ct);

    /// <summary>
    /// The officer approves: an arrival registers the person, a departure ends their registration; the house's counts
    /// change in this same transaction. Or sends the declaration back with a reason.
    /// </summary>
    public Task<Declaration> OfficerDecideAsync(CurrentUser user, long id, bool approve, string? reason, HttpContext http, CancellationToken ct) =>
        RunAsync(user, async s =>
        {
            var d = await LockAsync(s, id, user, ct);
            if (d.Status != "awaiting_officer")
                throw new Refusal(409, $"status: declaration {id} is {d.Status}, not waiting for the officer", "status");
            long? personId = null;
            if (approve)
            {
                var today = DateOnly.FromDateTime(DateTime.UtcNow);
                var existing = await s.Sql("Addresses/Registration/registered_person.sql", d.HouseId, d.IdNumber)
                    .FirstOrDefaultAsync(r => Tuple.Create(r.GetInt64(0), r.GetBoolean(2)), ct);
                if (d.Kind == "arrival")
                {
                    if (existing is { Item2: true })
                        throw new Refusal(409, "idNumber: this person has been registered at the house since the declaration was made", "idNumber");
                    if (existing is { } counted)
                    {
                        await Exec(s, "register_counted.sql", ct, counted.Item1, today, d.ExpectedLeaveOn, d.DueOn);
                        personId = counted.Item1;
                    }
                    else
                    {
                        await using var insert = s.Sql("Addresses/Registration/register_person.sql", d.HouseId, d.ForeignNational, d.ArrivedOn,
                            d.ExpectedLeaveOn, user.Name, d.HouseJurisdiction, today, d.DueOn);
                        personId = (long)(await insert.ExecuteScalarAsync(ct))!;
                        await Exec(s, "register_identity.sql", ct, personId, d.FullName, d.IdNumber, d.Phone);
                    }
                }
                else
                {
                    if (existing is null)
                        throw new Refusal(409, "idNumber: this person is no longer registered at the house; nothing to end", "idNumber");
                    await Exec(s, "end_registration.sql", ct, existing.Item1, d.LeftOn);
                    personId = existing.Item1;
                }
            }
            await Decide(s, id, approve ? "approved" : "sent_back", personId, ct);
            await EventAsync(s, id, approve ? "approved" : "sent_back", reason, user, ct);
            return await OneAsync(s, id, user, http, ct);
        }, ct);

    /// <summary>Declarations the caller may see, audited as a personal-data read (who asked, which were shown).</summary>
    public Task<List<Declaration>> ListAsync(CurrentUser user, string? addressCode, long? declaredBy, string[]? statuses, HttpContext http, CancellationToken ct) =>
        RunAsync(user, async s =>
        {
            var list = await ReadAsync(s, addressCode, declaredBy, statuses, null, MaxList, user, ct);
            await Audit.RecordReadAsync(s, http, "declaration", list.Select(d => d.Id.ToString()).ToList(),
                new { addressCode, declaredBy, statuses }, ct);
            return list;
        }, ct);

    async Task<Declaration> OneAsync(ScopedSession s, long id, CurrentUser user, HttpContext http, CancellationToken ct)
    {
        var one = (await ReadAsync(s, null, null, null, id, 1, user, ct)).Single();
        await Audit.RecordReadAsync(s, http, "declaration", [id.ToString()], new { id }, ct);
        return one;
    }

    async Task<List<Declaration>> ReadAsync(ScopedSession s, string? addressCode, long? declaredBy, string[]? statuses, long? id, int limit,
        CurrentUser user, CancellationToken ct)
    {
        var rows = await s.Sql("Addresses/Registration/declarations.sql", addressCode, declaredBy, statuses, id, limit).ListAsync(r => new Declaration(
            r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetInt64(6), r.GetString(7),
            r.GetString(8), r.Nullable<string>(9), r.GetBoolean(10), r.GetFieldValue<DateOnly>(11), r.Nullable<DateOnly?>(12),
            r.Nullable<DateOnly?>(13), r.GetFieldValue<DateOnly>(14), r.GetBoolean(15), r.GetString(16), r.GetString(17),
            r.GetFieldValue<DateTimeOffset>(18), r.Nullable<DateTimeOffset?>(19),
            JsonSerializer.Deserialize<List<DeclarationEvent>>(r.GetString(20), JsonSerializerOptions.Web)!), ct);
        // a landlord sees the tenant's name and phone (they let the room to them) but not the whole ID number
        return user.ReadsPersonalData ? rows
            : rows.Select(d => d.DeclaredBy == user.Name ? d : d with { IdNumber = ResidentIdNumber.Mask(d.IdNumber) }).ToList();
    }

    sealed record Locked(long Id, string Kind, string Status, long HouseId, string IdNumber, string FullName, string? Phone, bool ForeignNational,
        DateOnly ArrivedOn, DateOnly? ExpectedLeaveOn, DateOnly? LeftOn, long HouseJurisdiction, bool CallerIsLandlord, DateOnly DueOn);

    static async Task<Locked> LockAsync(ScopedSession s, long id, CurrentUser user, CancellationToken ct) =>
        await s.Sql("Addresses/Registration/lock_declaration.sql", id, user.UserId).FirstOrDefaultAsync(r => new Locked(
            r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetString(4), r.GetString(5), r.Nullable<string>(6), r.GetBoolean(7),
            r.GetFieldValue<DateOnly>(8), r.Nullable<DateOnly?>(9), r.Nullable<DateOnly?>(10), r.GetInt64(11), r.GetBoolean(12),
            r.GetFieldValue<DateOnly>(13)), ct)
        ?? throw new Refusal(404, $"id: no declaration you may see has id {id}", "id");

    static Task Decide(ScopedSession s, long id, string status, long? personId, CancellationToken ct) =>
        Exec(s, "decide.sql", ct, id, status, personId);

    static Task EventAsync(ScopedSession s, long id, string action, string? reason, CurrentUser user, CancellationToken ct) =>
        Exec(s, "insert_event.sql", ct, id, action, reason, user.UserId, user.Name, user.Role);

    static async Task Exec(ScopedSession s, string file, CancellationToken ct, params object?[] args)
    {
        await using var cmd = s.Sql("Addresses/Registration/" + file, args);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    // ---- input rules: one place each, the endpoints and the store call them ----

    public static string CheckIdNumber(string? value, DateOnly today) =>
        ResidentIdNumber.Problem(value, today) is { } problem ? throw Refusal.BadRequest("idNumber", problem) : ResidentIdNumber.Normalize(value!);

    static readonly System.Text.RegularExpressions.Regex PhonePattern = new(@"^\+?[0-9 -]{5,20}$");

    public static string? CheckPhone(string? value, bool required)
    {
        if (string.IsNullOrWhiteSpace(value)) return required ? throw Refusal.BadRequest("phone", "is required: a number the officer can call") : null;
        if (value.Length > 20) throw Refusal.BadRequest("phone", "is longer than 20 characters");
        return PhonePattern.IsMatch(value) ? value.Trim() : throw Refusal.BadRequest("phone", "must be digits (spaces, dashes and a leading + allowed), 5 to 20 of them");
    }

    /// <param name="notAfter">today, for dates that cannot be in the future; null when they may be</param>
    public static DateOnly? CheckDate(string field, string? value, DateOnly? notAfter, bool required)
    {
        if (string.IsNullOrWhiteSpace(value)) return required ? throw Refusal.BadRequest(field, "is required (yyyy-MM-dd)") : null;
        if (value.Length > 10 || !DateOnly.TryParseExact(value, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.None, out var date))
            throw Refusal.BadRequest(field, $"'{(value.Length > 20 ? value[..20] + "…" : value)}' is not a date (yyyy-MM-dd)");
        if (notAfter is { } today && date > today) throw Refusal.BadRequest(field, $"{date:yyyy-MM-dd} is in the future (today is {today:yyyy-MM-dd})");
        if (date.Year < 1900) throw Refusal.BadRequest(field, $"{date:yyyy-MM-dd} is too long ago");
        return date;
    }
}
