namespace GeoTwin.Server.Warnings;

public static class WarningsSetup
{
    public static void AddWarnings(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(WarningOptions.From(builder.Configuration));
        builder.Services.AddSingleton<WarningLevels>();
    }
}
