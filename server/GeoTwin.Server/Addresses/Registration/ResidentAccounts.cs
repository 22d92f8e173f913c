using GeoTwin.Server.Accounts;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Infrastructure.Errors;
using Npgsql;

namespace GeoTwin.Server.Addresses.Registration;

/// <summary>
/// Resident accounts: a resident signs up at their plate (name and phone; the officer then links them to the address)
/// or the officer creates them already linked, as a resident or as the landlord of the house there.
/// </summary>
public sealed class ResidentAccounts(NpgsqlDataSource owner, ScopedDb scoped)
{
    /// <summary>
    /// Self sign-up at a genuine plate (checked by the caller): GeoTwin's own login writes the account, as nobody is
    /// signed in; the plate's signature is the permission, and the account can do nothing until an officer links it.
    /// </summary>
    public Task<long> SignUpAsync(string code, ResidentInput input, CancellationToken ct) => CreateAsync(code, input, null, "self", false, false, ct);

    /// <summary>The officer creates a resident, linked at once; the address must be in the officer's jurisdiction.</summary>
    public Task<long> CreateByOfficerAsync(CurrentUser officer, ResidentInput input, CancellationToken ct)
    {
        if (Problems.CheckText(input.AddressCode, 64) is { } a) throw Refusal.BadRequest("addressCode", a);
        return CreateAsync(input.AddressCode!, input, officer.Scope == "*" ? null : officer.Scope, officer.Name, true, input.Landlord, ct);
    }

    async Task<long> CreateAsync(string code, ResidentInput input, string? scope, string by, bool link, bool landlord, CancellationToken ct)
    {
        if (input.Username is null || !System.Text.RegularExpressions.Regex.IsMatch(input.Username, "^[A-Za-z0-9_.-]{2,64}$"))
            throw Refusal.BadRequest("username", "must be 2-64 letters, digits, '.', '_' or '-'");
        if (input.Password is null or { Length: < 10 }) throw Refusal.BadRequest("password", "must be at least 10 characters");
        if (input.Password.Length > 200) throw Refusal.BadRequest("password", "is longer than 200 characters");
        if (Problems.CheckText(input.FullName, 100) is { } n) throw Refusal.BadRequest("fullName", n);
        var phone = RegistrationStore.CheckPhone(input.Phone, required: true);
        try
        {
            await using var cmd = owner.Sql("Addresses/Registration/create_resident.sql", input.Username, input.FullName!.Trim(),
                AccountsStore.HashPassword(input.Password), phone, code, scope, by, link, landlord);
            return await cmd.ExecuteScalarAsync(ct) as long?
                ?? throw new Refusal(404, $"{(link ? "addressCode" : "code")}: no active address you may see has code '{code}'", link ? "addressCode" : "code");
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new Refusal(409, $"username: '{input.Username}' is taken; choose another", "username");
        }
    }

    public Task<List<ResidentAccount>> ListAsync(CurrentUser officer, bool unlinkedOnly, HttpContext http, CancellationToken ct) =>
        scoped.RunAsync(officer, async s =>
        {
            var list = await s.Sql("Addresses/Registration/residents.sql", unlinkedOnly).ListAsync(r => new ResidentAccount(
                r.GetInt64(0), r.GetString(1), r.GetString(2), r.Nullable<string>(3), r.Nullable<string>(4), r.GetBoolean(5),
                r.GetFieldValue<DateTimeOffset>(6)), ct);
            await Audit.RecordReadAsync(s, http, "resident", list.Select(x => x.UserId.ToString()).ToList(), new { unlinkedOnly }, ct);
            return list;
        }, ct);

    public async Task LinkAsync(CurrentUser officer, long userId, LinkInput input, CancellationToken ct)
    {
        if (Problems.CheckText(input.AddressCode, 64) is { } a) throw Refusal.BadRequest("addressCode", a);
        var (resident, address) = await scoped.RunAsync(officer, s => s.Sql("Addresses/Registration/link_resident.sql", userId, input.AddressCode,
            officer.Name, input.Landlord).FirstOrDefaultAsync(r => Tuple.Create(r.GetBoolean(0), r.GetBoolean(1)), ct), ct) ?? Tuple.Create(false, false);
        if (!resident) throw new Refusal(404, $"id: no resident account you may see has id {userId}", "id");
        if (!address) throw new Refusal(404, $"addressCode: no active address you may see has code '{input.AddressCode}'", "addressCode");
    }
}
