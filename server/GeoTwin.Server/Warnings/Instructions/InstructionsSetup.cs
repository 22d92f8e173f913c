using GeoTwin.Server.Status;

namespace GeoTwin.Server.Warnings.Instructions;

public static class InstructionsSetup
{
    /// <summary>Instructions: their options, store, the rules/overdue job (recurring, supervised) and its health in /readyz.</summary>
    public static void AddInstructions(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(InstructionOptions.From(builder.Configuration));
        builder.Services.AddSingleton<InstructionStore>();
        builder.Services.AddSingleton<InstructionHealth>();
        builder.Services.AddHealthPart<InstructionHealth>("warningInstructions", (health, _) => health.Describe());
        builder.Services.AddTransient<InstructionJob>();
        builder.Services.AddHostedService<InstructionJob.Schedule>();
    }
}
