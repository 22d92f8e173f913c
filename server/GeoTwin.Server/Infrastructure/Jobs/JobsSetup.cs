using GeoTwin.Server.Status;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;
using Hangfire;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;

namespace GeoTwin.Server.Infrastructure.Jobs;

/// <summary>
/// Hangfire on GeoTwin's PostgreSQL (schema hangfire): every node is a worker. With several nodes each recurring
/// occurrence still runs once: every node's recurring-job scheduler takes Hangfire's distributed lock (a row in
/// hangfire.lock) before it enqueues what is due and moves the job's next execution on, and each enqueued job is
/// fetched by one worker (its queue row is locked FOR UPDATE SKIP LOCKED and hidden while it runs). A worker killed
/// mid-job leaves the fetch to time out (InvisibilityTimeout, 30 min by default) and another worker runs it again.
/// </summary>
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
        builder.Services.AddHealthPart<InterruptedJobs>("interruptedJobs", (j, _) => j.Health());
        if (builder.Configuration.GetValue("GeoTwin:Jobs:Worker", true))
        {
            // Before the worker takes jobs: what a dead predecessor left running is marked first.
            builder.Services.AddHostedService(sp => sp.GetRequiredService<InterruptedJobs>());
            // How often the schedulers look for due recurring and delayed jobs (Hangfire's default 15 s; tests ask 1 s).
            var polling = TimeSpan.FromSeconds(builder.Configuration.GetValue("GeoTwin:Jobs:PollingSeconds", 15.0));
            builder.Services.AddHangfireServer(o =>
            {
                o.WorkerCount = Math.Max(2, Environment.ProcessorCount);
                o.SchedulePollingInterval = polling;
            });
        }
        return builder;
    }

    /// <summary>
    /// The Hangfire dashboard at /jobs, for admins. Its pages post back to themselves (the statistics poll every few
    /// seconds, retry and delete buttons), and every cookie write here must carry the double-submit CSRF header
    /// (AuthSetup), which the dashboard's script never sent: every POST got 403. Its pages name a header and a token
    /// for the script to send (meta csrf-header / csrf-token), filled from IAntiforgery when one is registered.
    /// GeoTwin registers none (its own double-submit check is the one CSRF rule), so the authorization filter
    /// below fills them with GeoTwin's header and the caller's CSRF cookie value, and the same check as everywhere
    /// else passes. (IgnoreAntiforgeryToken stays false: it would drop those meta tags too.) A sign-in or role
    /// refusal is answered as problem+json before Hangfire sees the request.
    /// </summary>
    public static WebApplication MapJobsDashboard(this WebApplication app)
    {
        app.UseWhen(ctx => ctx.Request.Path.StartsWithSegments(DashboardPath), branch => branch.Use(async (ctx, next) =>
        {
            if (ctx.User.Identity?.IsAuthenticated != true) await AuthSetup.Problem(ctx, 401, "sign in first: POST /api/auth/login");
            else if (!AdminsOnly.Allowed(ctx)) await AuthSetup.Problem(ctx, 403, "only an admin may use the jobs dashboard");
            else await next(ctx);
        }));
        app.UseHangfireDashboard(DashboardPath, new DashboardOptions
        {
            Authorization = [new AdminsOnly()],
            DisplayStorageConnectionString = false,
            DashboardTitle = "GeoTwin jobs",
        });
        return app;
    }

    const string DashboardPath = "/jobs";

    /// <summary>
    /// The dashboard is middleware, not an endpoint, so it checks the admin role itself (again, behind the branch
    /// above), and hands the page GeoTwin's CSRF header and value to send with its POSTs.
    /// </summary>
    sealed class AdminsOnly : IDashboardAuthorizationFilter
    {
        public static bool Allowed(HttpContext http) => http.User.IsInRole(Roles.Admin);

        public bool Authorize(DashboardContext context)
        {
            var http = context.GetHttpContext();
            if (!Allowed(http)) return false;
            if (http.Request.Cookies[AuthSetup.CsrfCookie] is { Length: > 0 } csrf)
            {
                context.AntiforgeryHeader = AuthSetup.CsrfHeader;
                context.AntiforgeryToken = csrf;
            }
            return true;
        }
    }
}
