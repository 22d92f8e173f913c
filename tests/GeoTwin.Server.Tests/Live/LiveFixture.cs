using System.Net.Http.Headers;
using GeoTwin.Server.Accounts;
using Npgsql;

namespace GeoTwin.Server.Tests.Live;

/// <summary>Two stations with one unit each (device ids D1, D2), and device tokens for the city and each station.</summary>
public static class LiveSeed
{
    public static async Task<(long Unit1, long Unit2)> SeedAsync(NpgsqlDataSource db)
    {
        await TwoStations.SeedAsync(db);
        await using var cmd = db.CreateCommand("""
            UPDATE police_units SET device_id = CASE call_sign WHEN '一所01' THEN 'D1' ELSE 'D2' END,
                                    last_fix_at = NULL, last_position = NULL;
            SELECT (SELECT id FROM police_units WHERE device_id = 'D1'), (SELECT id FROM police_units WHERE device_id = 'D2');
            """);
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        return (r.GetInt64(0), r.GetInt64(1));
    }

    public static async Task<HttpClient> DeviceAsync(GeoTwinServer server, string jurisdictionCode, string purpose = "position_ingest")
    {
        var token = await new AccountsStore(server.Database.DataSource).CreateTokenAsync($"dev-{Guid.NewGuid():N}"[..20], purpose, jurisdictionCode, null, null, default);
        var http = new HttpClient { BaseAddress = new Uri(server.Url) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token!.Secret);
        return http;
    }

    public static object Fix(long unit, DateTime time, double lon, double lat, string? status = null) =>
        new { unitId = unit, time = time.ToString("O"), lon, lat, speed = 30.0, heading = 90.0, accuracy = 5.0, status };
}
