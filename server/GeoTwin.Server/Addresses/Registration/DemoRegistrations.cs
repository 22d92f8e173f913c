using GeoTwin.Server.Infrastructure.Db;
using Npgsql;

namespace GeoTwin.Server.Addresses.Registration;

/// <summary>
/// The demo's registrations in their several states at the demo resident's address: one approved (the person is
/// registered), one waiting for the officer and overdue, one sent back with a reason, one waiting for the landlord.
/// The people are generated: names marked 演示 and ID numbers of region 000000, which GB/T 2260 never gave.
/// </summary>
public static class DemoRegistrations
{
    public static async Task WriteAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        (string Name, int Seq, int ArrivedDaysAgo, int DeclaredDaysAgo, string Status, string? Reason)[] rows =
        [
            ("演示租客甲", 11, 40, 39, "approved", null),
            ("演示租客乙", 12, 12, 8, "awaiting_officer", null),
            ("演示租客丙", 13, 6, 5, "sent_back", "身份证号码与证件照片不符，请核对后重新申报"),
            ("演示租客丁", 14, 1, 0, "awaiting_landlord", null),
        ];
        foreach (var (name, seq, arrivedAgo, declaredAgo, status, reason) in rows)
        {
            var arrived = today.AddDays(-arrivedAgo);
            var due = WorkingDays.Add(arrived, 3);
            var declaredAt = new DateTimeOffset(today.AddDays(-declaredAgo).ToDateTime(new TimeOnly(10, 0)), TimeSpan.Zero);
            await using var cmd = db.Sql("Addresses/Registration/demo_declaration.sql", name, ResidentIdNumber.Make("000000", new DateOnly(1990, 5, seq), seq * 2 + 1),
                arrived, due, status, declaredAt, reason, status == "approved" ? arrived.AddDays(2) : null);
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }
}
