using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;
using Hangfire;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;

namespace GeoTwin.Server.Infrastructure.Jobs;

/// <summary>Hangfire on GeoTwin's PostgreSQL (schema hangfire): every node is a worker.</summary>
public static class JobsSetup
{
    public static WebApplicationBuilder AddJobs(this WebApplicationBuilder builder, Database database)
    {
        builder.Services.AddHangfire(c => c
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(o => o.UseNpgsqlConnection(database.ConnectionString),
                new PostgreSqlStorageOptions { SchemaName = "hangfire", PrepareSchemaIfNecessary = true }));
        builder.Services.AddSingleton<InterruptedJobs>();
        if (builder.Configuration.GetValue("GeoTwin:Jobs:Worker", true))
        {
            // Before the worker takes jobs: what a dead predecessor left running is marked first.
            builder.Services.AddHostedService(sp => sp.GetRequiredService<InterruptedJobs>());
            builder.Services.AddHangfireServer(o => o.WorkerCount = Math.Max(2, Environment.ProcessorCount));
        }
        return builder;
    }

    public static WebApplication MapJobsDashboard(this WebApplication app)
    {
        app.UseHangfireDashboard("/jobs", new DashboardOptions
        {
            Authorization = [new AdminsOnly()],
            DisplayStorageConnectionString = false,
            DashboardTitle = "GeoTwin jobs",
        });
        return app;
    }

    /// <summary>The dashboard is middleware, not an endpoint, so it checks the admin role itself.</summary>
    sealed class AdminsOnly : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) => context.GetHttpContext().User.IsInRole(Roles.Admin);
    }
}
