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
        if (builder.Configuration.GetValue("GeoTwin:Jobs:Worker", true))
            builder.Services.AddHangfireServer(o => o.WorkerCount = Math.Max(2, Environment.ProcessorCount));
        return builder;
    }

    public static WebApplication MapJobsDashboard(this WebApplication app)
    {
        // Until accounts exist, the dashboard answers only requests from this machine.
        app.UseHangfireDashboard("/jobs", new DashboardOptions
        {
            Authorization = [new LocalRequestsOnlyAuthorizationFilter()],
            DisplayStorageConnectionString = false,
            DashboardTitle = "GeoTwin jobs",
        });
        return app;
    }
}
