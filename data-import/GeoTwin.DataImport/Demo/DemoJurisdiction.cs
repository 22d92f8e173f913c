using System.Diagnostics;
using System.Text;
using Npgsql;

namespace GeoTwin.DataImport.Demo;

/// <param name="Seed">Same seed (and end time), same rows.</param>
/// <param name="UntilUtc">End of the two-year incident history and time of the units' last fixes; default now, to the minute.</param>
public sealed record DemoOptions(int Seed = 1, DateTime? UntilUtc = null);

public sealed record DemoProgress(string Step, double Fraction);

/// <summary>What was loaded, for the terminal and the benchmark.</summary>
public sealed record DemoFacts(int Jurisdictions, int Roads, int Houses, int Addresses, int Residents, int Organizations,
    int Cameras, int Units, int Incidents, TimeSpan Elapsed)
{
    public override string ToString() =>
        $"{Jurisdictions} jurisdictions, {Roads:N0} road edges, {Houses:N0} houses, {Addresses:N0} addresses, {Residents:N0} residents, " +
        $"{Organizations:N0} organizations, {Cameras:N0} cameras, {Units} police units, {Incidents:N0} incidents in {Elapsed.TotalSeconds:0.0} s";
}

/// <summary>
/// The demo jurisdiction: Monaco from OpenStreetMap (roads, buildings, house numbers, cameras, POIs)
/// with a police tree, people counts, patrol units and two years of incidents made up around it.
/// It loads only into an empty database, in one transaction: a failure leaves the database empty.
/// </summary>
public static class DemoJurisdiction
{
    /// <returns>true if the demo was loaded; false if the database already had data.</returns>
    public static async Task<bool> LoadIfEmptyAsync(NpgsqlDataSource db, CancellationToken ct = default) =>
        await LoadIfEmptyAsync(db, new DemoOptions(), null, ct) is not null;

    /// <param name="progress">Called on the loading thread with the step and the fraction done.</param>
    /// <returns>what was loaded; null if the database already had data (then nothing was written).</returns>
    public static async Task<DemoFacts?> LoadIfEmptyAsync(NpgsqlDataSource db, DemoOptions options, Action<DemoProgress>? progress, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var empty = new NpgsqlCommand(Sql("lock_if_empty.sql"), conn))
            if (!(bool)(await empty.ExecuteScalarAsync(ct))!) return null;

        var until = options.UntilUtc ?? DateTime.UtcNow;
        until = new DateTime(until.Ticks - until.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc);
        // Reading and building take about half the time, writing the other half.
        var model = DemoModel.Build(options.Seed, until, (step, f) => progress?.Invoke(new DemoProgress(step, 0.5 * f)), ct);
        await DemoWriter.WriteAsync(conn, model, (step, f) => progress?.Invoke(new DemoProgress("writing " + step, 0.5 + 0.5 * f)), ct);
        await tx.CommitAsync(ct);
        return new DemoFacts(model.Tree.Rows().Count(), model.Roads.Edges.Count, model.Registry.Houses.Count, model.Registry.Addresses.Count,
            model.Registry.Houses.Sum(h => h.Total), model.Registry.Organizations.Count, model.Cameras.Count, model.Units.Count,
            model.Incidents.Count, clock.Elapsed);
    }

    internal static string Sql(string file)
    {
        using var stream = typeof(DemoJurisdiction).Assembly.GetManifestResourceStream("GeoTwin.DataImport.Demo." + file)
            ?? throw new InvalidOperationException($"no embedded SQL file Demo/{file}");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
