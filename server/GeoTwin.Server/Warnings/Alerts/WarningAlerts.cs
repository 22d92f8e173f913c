using System.Security.Claims;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Npgsql;

namespace GeoTwin.Server.Warnings.Alerts;

/// <summary>
/// One warning as viewers see it: the place, the kind of warning (red, black, one_short_of_&lt;level&gt;: the texts'
/// codes), the level and count it was raised at, the month it counts in and when.
/// </summary>
public sealed record AlertView(long Id, long PlaceId, string PlaceCode, string PlaceName, string? PlaceNameEn, string PlaceKind,
    string Kind, string Level, int Count, DateOnly Month, DateTime At)
{
    internal static (AlertView View, string Path) Read(NpgsqlDataReader r) => (new AlertView(r.GetInt64(0), r.GetInt64(1), r.GetString(2),
        r.GetString(3), r.Nullable<string>(4), r.GetString(5), r.GetString(6), r.GetString(7), r.GetInt32(8), r.GetFieldValue<DateOnly>(9),
        r.GetDateTime(10)), r.GetString(11));
}

/// <summary>
/// The alerts list and the live push. <see cref="RecordAsync"/> writes the warnings of a level change in its
/// transaction (the same rule as the texts: <see cref="Texts.WarningTexts.WarningsOf"/>); <see cref="PublishAsync"/>
/// sends the new ones, after the commit, to exactly the viewers whose jurisdiction holds the place.
/// </summary>
public sealed class WarningAlerts(IHubContext<WarningsHub> hub, ILogger<WarningAlerts> log)
{
    public const string AlertMessage = "alert";

    public static async Task<List<(AlertView View, string Path)>> RecordAsync(NpgsqlConnection conn, NpgsqlTransaction tx,
        IEnumerable<LevelChange> changes, DateOnly month, CancellationToken ct)
    {
        var warnings = Texts.WarningTexts.WarningsOf(changes, month).ToList();
        if (warnings.Count == 0) return [];
        await using var cmd = DbCommands.WithParameters(new NpgsqlCommand(EmbeddedSql.Get("Warnings/Alerts/record_alerts.sql"), conn, tx),
        [
            warnings.Select(w => w.Change.PlaceId).ToArray(), warnings.Select(w => w.Change.Month).ToArray(),
            warnings.Select(w => w.Warning).ToArray(), warnings.Select(w => w.Change.To).ToArray(), warnings.Select(w => w.Change.Count).ToArray(),
        ]);
        return await cmd.ListAsync(AlertView.Read, ct);
    }

    /// <summary>
    /// Pushes committed alerts. A viewer who misses one (not connected, a failed send) still finds it in the alerts
    /// list, which the viewer reads again on (re)connecting: the push only makes it sooner, so a failure is logged, not retried.
    /// </summary>
    public async Task PublishAsync(IReadOnlyList<(AlertView View, string Path)> alerts)
    {
        foreach (var (view, path) in alerts)
            try
            {
                await hub.Clients.Groups(JurisdictionPaths.ScopesSeeing(path).Select(WarningsHub.Group).ToList()).SendAsync(AlertMessage, view);
            }
            catch (Exception e)
            {
                log.LogWarning(e, "warning alert {Id}: the live push failed (it stays in the alerts list): {Message}", view.Id, e.Message);
            }
    }
}

/// <summary>
/// /hubs/warnings: a connection joins the group of its own scope ('*' for everything); an alert goes to the groups of
/// its place's path and each ancestor, i.e. to the viewers who may see that place (the dispatch hub's pattern).
/// </summary>
[Authorize(Policy = Policies.Staff)]
public sealed class WarningsHub : Hub
{
    public const string Path = "/hubs/warnings";

    public static string Group(string scope) => "warnings:" + scope;

    public override async Task OnConnectedAsync()
    {
        var user = CurrentUser.From(Context.User ?? new ClaimsPrincipal());
        await Groups.AddToGroupAsync(Context.ConnectionId, Group(user.Scope));
        await base.OnConnectedAsync();
    }
}
