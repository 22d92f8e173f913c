using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;

namespace GeoTwin.Server.Addresses.Registration;

/// <summary>
/// A place's registration rate: registered floating residents over floating residents counted in its houses, against
/// the target (GeoTwin:Registration:TargetRate, default 0.95), and timeliness: the share of registrations made by
/// their due day (N working days after the arrival).
/// </summary>
public sealed record RegistrationRate(string Code, string Name, string? NameEn, int Floating, int RegisteredFloating, double? Rate,
    bool MeetsTarget, int Timed, int OnTime, double? Timeliness, System.Text.Json.JsonElement? Boundary);

public sealed record RegistrationRates(string By, double Target, int DueWorkingDays, IReadOnlyList<RegistrationRate> Places);

public sealed class RegistrationRatesStore(ScopedDb db, IConfiguration config)
{
    public static readonly string[] Groupings = ["community", "area", "station"];

    public double Target => config.GetValue("GeoTwin:Registration:TargetRate", 0.95);

    public async Task<RegistrationRates> RatesAsync(CurrentUser user, string by, bool outlines, int dueWorkingDays, CancellationToken ct)
    {
        var target = Target;
        var places = await db.RunAsync(user, s => s.Sql("Addresses/Registration/rates.sql", by, outlines).ListAsync(r =>
        {
            int floating = r.GetInt32(3), registered = r.GetInt32(4), timed = r.GetInt32(5), onTime = r.GetInt32(6);
            double? rate = floating > 0 ? Math.Round((double)registered / floating, 4) : null;
            return new RegistrationRate(r.GetString(0), r.GetString(1), r.Nullable<string>(2), floating, registered, rate,
                rate is null || rate >= target, timed, onTime, timed > 0 ? Math.Round((double)onTime / timed, 4) : null,
                r.IsDBNull(7) ? null : System.Text.Json.JsonDocument.Parse(r.GetString(7)).RootElement.Clone());
        }, ct), ct);
        return new RegistrationRates(by, target, dueWorkingDays, places);
    }
}
