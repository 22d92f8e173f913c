namespace GeoTwin.Server.Infrastructure.Auth;

/// <summary>The seven roles of the roles table, and the policies endpoint groups name once each.</summary>
public static class Roles
{
    public const string Admin = "admin";
    public const string Commander = "commander";
    public const string Dispatcher = "dispatcher";
    public const string Analyst = "analyst";
    public const string Planner = "planner";
    public const string CommunityOfficer = "community_officer";
    public const string Resident = "resident";

    public static readonly IReadOnlyList<string> All = [Admin, Commander, Dispatcher, Analyst, Planner, CommunityOfficer, Resident];

    /// <summary>Roles whose work needs people, phones and ID numbers (the roles table says the same).</summary>
    public static readonly IReadOnlySet<string> ReadPersonalData = new HashSet<string> { Admin, Commander, Dispatcher, CommunityOfficer };

    /// <summary>Admins see every jurisdiction whatever node they sit on.</summary>
    public static bool SeesEverything(string role) => role == Admin;
}

public static class Policies
{
    /// <summary>Any signed-in person (a resident too).</summary>
    public const string SignedIn = "signed-in";
    /// <summary>Police staff: every role but resident.</summary>
    public const string Staff = "staff";
    public const string PersonalData = "personal-data";
    public const string Admin = "admin";
    public const string Dispatch = "dispatch";
    public const string Analysis = "analysis";
    public const string Planning = "planning";
    /// <summary>Any live API token, whatever its purpose.</summary>
    public const string AnyToken = "token";
    /// <summary>Device and integration tokens, each limited to one purpose.</summary>
    public const string PositionIngest = "token:position_ingest";
    public const string IncidentIntake = "token:incident_intake";
    public const string Import = "token:import";

    public static readonly IReadOnlyDictionary<string, string[]> RolesOf = new Dictionary<string, string[]>
    {
        [SignedIn] = [.. Roles.All],
        [Staff] = [.. Roles.All.Where(r => r != Roles.Resident)],
        [PersonalData] = [.. Roles.ReadPersonalData],
        [Admin] = [Roles.Admin],
        [Dispatch] = [Roles.Admin, Roles.Commander, Roles.Dispatcher],
        [Analysis] = [Roles.Admin, Roles.Commander, Roles.Analyst],
        [Planning] = [Roles.Admin, Roles.Commander, Roles.Planner],
    };

    public static readonly IReadOnlyList<string> TokenPurposes = ["position_ingest", "incident_intake", "import"];
}
