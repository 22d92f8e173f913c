using System.Security.Claims;
using GeoTwin.Server.Infrastructure.Auth;
using Microsoft.AspNetCore.SignalR;

namespace GeoTwin.Server.Dispatch;

/// <summary>
/// /hubs/dispatch: tells every dispatcher's screen which incident changed, so all screens refetch and agree.
/// A connection joins the group of its own jurisdiction path ('*' for everything); a change is sent to the
/// groups of the incident's path and each of its ancestors, i.e. to exactly the screens that may see it.
/// </summary>
public sealed class DispatchHub : Hub
{
    public override async Task OnConnectedAsync()
    {
        var user = CurrentUser.From(Context.User ?? new ClaimsPrincipal());
        await Groups.AddToGroupAsync(Context.ConnectionId, "scope:" + user.Scope);
        await base.OnConnectedAsync();
    }
}

public sealed class DispatchNotifier(IHubContext<DispatchHub> hub)
{
    public Task ChangedAsync(string incidentPath, IncidentChanged change)
    {
        var groups = JurisdictionPaths.ScopesSeeing(incidentPath).Select(scope => "scope:" + scope).ToList();
        return hub.Clients.Groups(groups).SendAsync("incident", change);
    }
}
