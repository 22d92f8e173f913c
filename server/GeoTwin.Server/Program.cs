using GeoTwin.Server.Live.Geofences;
using GeoTwin.Server.Live.Crowds;
using GeoTwin.Server.Accounts;
using GeoTwin.Server.Addresses;
using GeoTwin.Server.Hotspots.Density;
using GeoTwin.Server.Coverage;
using GeoTwin.Server.Dispatch;
using GeoTwin.Server.Hotspots;
using GeoTwin.Server.Imagery;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Import;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Infrastructure.Errors;
using GeoTwin.Server.Infrastructure.Jobs;
using GeoTwin.Server.Live;
using GeoTwin.Server.Status;
using GeoTwin.Server.Tiles;
using GeoTwin.Server.Twin3d;
using GeoTwin.Server.Warnings;
using GeoTwin.Server.Overview;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace GeoTwin.Server;

public static class Program
{
    public static Task<int> Main(string[] args) => Cli.RunAsync(args);

    /// <summary>The whole server: what it adds, then what it maps. The database is up and migrated on return.</summary>
    public static async Task<GeoTwinServer> BuildAsync(string[] args, IDictionary<string, string?> settings, CancellationToken ct = default)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
            WebRootPath = Hosting.Find(),
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddListenAddress();

        var database = await Database.OpenAsync(builder.Configuration, Cli.Say, ct);
        try
        {
            builder.Services.AddSingleton(database.DataSource);
            builder.AddClusterSupervisor(database);
            builder.AddDataVersions();
            builder.AddNodeLeader();
            builder.AddReadReplica();
            builder.AddAuth();
            builder.AddJobs(database);
            builder.AddAccounts();
            builder.AddAddresses();
            GeoTwin.Server.Addresses.Plates.PlatesEndpoints.AddPlates(builder);
            builder.AddTiles();
            builder.AddImports();
            builder.AddImagery();
            builder.AddTwin3d();
            builder.AddLive();
            builder.AddGeofences();
            builder.AddCrowds();
            builder.Services.AddExceptionHandler<DatabaseUnavailable>();
            builder.AddRefusals();
            builder.AddDispatch();
            builder.AddHotspots();
            builder.AddHotspotDensity();
            builder.AddWarnings();
            builder.AddCoverage();
            GeoTwin.Server.Addresses.Registration.RegistrationEndpoints.AddRegistration(builder);
            builder.Services.AddOpenApi();
            builder.Services.AddProblemDetails();

            var app = builder.Build();
            app.UseExceptionHandler();
            app.UseDotSegmentRefusal();
            app.UseRefusals();
            app.UseSecurityHeaders();
            app.UseDefaultFiles();
            app.UseStaticFiles();
            app.UseSecurity();
            app.UseNumberChecks();
            app.MapStatusEndpoints();
            app.MapAccountsEndpoints();
            app.MapAddressesEndpoints();
            GeoTwin.Server.Addresses.Plates.PlatesEndpoints.MapPlatesEndpoints(app);
            app.MapTilesEndpoints();
            app.MapImportsEndpoints();
            app.MapImageryEndpoints();
            app.MapTwin3dEndpoints();
            app.MapCoverageEndpoints();
            app.MapLiveEndpoints();
            app.MapGeofenceEndpoints();
            app.MapCrowdEndpoints();
            app.MapDispatchEndpoints();
            app.MapHotspotsEndpoints();
            GeoTwin.Server.Addresses.Registration.RegistrationEndpoints.MapRegistrationEndpoints(app);
            app.MapHotspotDensityEndpoints();
            app.MapWarningsEndpoints();
            app.MapOverviewEndpoints();
            GeoTwin.Server.Warnings.Instructions.InstructionsEndpoints.MapInstructionsEndpoints(app);
            app.MapJobsDashboard();
            app.MapOpenApi().RequireAuthorization(Policies.Staff);
            app.MapClientFallback();
            return new GeoTwinServer(app, database);
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }
}

/// <summary>The running server and the database it owns; disposing stops both, PostgreSQL last.</summary>
public sealed class GeoTwinServer(WebApplication app, Database database) : IAsyncDisposable
{
    public WebApplication App { get; } = app;
    public Database Database { get; } = database;

    /// <summary>The address Kestrel really listens on (the port is chosen by the OS when configured as 0).</summary>
    public string Url => App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        // Hangfire opens its connections by connection string, from Npgsql's global pools, which nothing else closes.
        Npgsql.NpgsqlConnection.ClearAllPools();
        await Database.DisposeAsync();
    }
}
