namespace GeoTwin.Server.Warnings;

public static class WarningsSetup
{
    public static void AddWarnings(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(WarningOptions.From(builder.Configuration));
        builder.Services.AddSingleton<WarningLevels>();
        var pull = new Pull.PullConfiguration(Pull.WarningPullJob.SettingsFrom(builder.Configuration));
        builder.Services.AddSingleton(pull);
        builder.Services.AddSingleton(new Pull.PullHealth { Configured = pull.Settings is not null });
        builder.Services.AddSingleton<Pull.IncidentPull>();
        builder.Services.AddTransient<Pull.WarningPullJob>();
        builder.Services.AddHttpClient(nameof(Pull.WarningPullJob));
        builder.Services.AddHostedService<Pull.WarningPullJob.Schedule>();
    }
}
