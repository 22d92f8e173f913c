using Npgsql;
using Spectre.Console;

namespace GeoTwin.DataImport.Demo;

/// <summary>The demo load with a progress bar on the terminal, for the `geotwin demo` verb.</summary>
public static class DemoConsole
{
    public static async Task<DemoFacts?> LoadAsync(NpgsqlDataSource db, DemoOptions? options = null, CancellationToken ct = default)
    {
        DemoFacts? facts = null;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask("demo jurisdiction", maxValue: 100);
                facts = await DemoJurisdiction.LoadIfEmptyAsync(db, options ?? new DemoOptions(), p =>
                {
                    task.Description = p.Step;
                    task.Value = 100 * p.Fraction;
                }, ct);
                task.Value = 100;
            });
        return facts;
    }
}
