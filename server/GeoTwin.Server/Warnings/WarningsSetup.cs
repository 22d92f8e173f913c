using GeoTwin.Server.Status;
namespace GeoTwin.Server.Warnings;

public static class WarningsSetup
{
    public static void AddWarnings(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(WarningOptions.From(builder.Configuration));
        builder.Services.AddSingleton<WarningLevels>();
        // The demo's call-handling platform, before the pull reads where to pull from (it points the pull at it).
        var platform = new Demo.DemoCallPlatform();
        var demoPlatform = Demo.DemoPlatformService.Configure(builder, platform);
        builder.Services.AddSingleton(platform);
        builder.Services.AddSingleton(new Demo.DemoPlatformState { Serving = demoPlatform });
        builder.Services.AddHealthPart<Demo.DemoPlatformState>("warningDemoPlatform", (state, _) => state.Describe(platform));
        if (demoPlatform) builder.Services.AddHostedService<Demo.DemoPlatformService>();
        var pull = new Pull.PullConfiguration(Pull.WarningPullJob.SettingsFrom(builder.Configuration));
        builder.Services.AddSingleton(pull);
        builder.Services.AddSingleton(new Pull.PullHealth { Configured = pull.Settings is not null });
        builder.Services.AddHealthPart<Pull.PullHealth>("warningPull", (health, _) => health.Describe());
        builder.Services.AddSingleton<Pull.IncidentPull>();
        builder.Services.AddSignalR();
        builder.Services.AddSingleton<Alerts.WarningAlerts>();
        builder.Services.AddTransient<Pull.WarningPullJob>();
        builder.Services.AddHttpClient(nameof(Pull.WarningPullJob));
        builder.Services.AddHostedService<Pull.WarningPullJob.Schedule>();
        builder.Services.AddSingleton<Texts.WarningTexts>();
        var gateway = Texts.WarningTextsJob.GatewayFrom(builder.Configuration);
        builder.Services.AddSingleton(new Texts.TextsConfiguration(gateway));
        builder.Services.AddSingleton(new Texts.TextsHealth { Configured = gateway is not null });
        builder.Services.AddHealthPart<Texts.TextsHealth>("warningTexts", (health, _) => health.Describe());
        builder.Services.AddTransient<Texts.WarningTextsJob>();
        builder.Services.AddHttpClient(nameof(Texts.WarningTextsJob));
        builder.Services.AddHostedService<Texts.WarningTextsJob.Schedule>();
        Instructions.InstructionsSetup.AddInstructions(builder);
    }
}
