namespace GeoTwin.Server.Infrastructure.Auth;

/// <summary>
/// The roles as C# names (for [Authorize] and checks in code); which roles exist, which read personal data and which
/// make up each policy come from the vocabulary (GeoTwin.Domain), which a test holds the roles table to.
/// </summary>
public static class Roles
{
    public const string Admin = "admin";
    public const string Commander = "commander";
    public const string Dispatcher = "dispatcher";
    public const string Analyst = "analyst";
    public const string Planner = "planner";
    public const string CommunityOfficer = "community_officer";
    public const string Resident = "resident";

    public static readonly IReadOnlyList<string> All = Vocabulary.Roles;

    /// <summary>Roles whose work needs people, phones and ID numbers (the roles table says the same).</summary>
    public static readonly IReadOnlySet<string> ReadPersonalData = Vocabulary.RolesReadingPersonalData.ToHashSet();

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
    /// <summary>Who answers for the registration rate (community officers, analysts, commanders, admins).</summary>
    public const string Registration = "registration";
    /// <summary>Any live API token, whatever its purpose.</summary>
    public const string AnyToken = "token";
    /// <summary>Device and integration tokens, each limited to one purpose.</summary>
    public const string PositionIngest = "token:position_ingest";
    public const string IncidentIntake = "token:incident_intake";
    public const string Import = "token:import";
    /// <summary>People counters at beaches, squares and scenic spots (Live/Crowds).</summary>
    public const string CrowdIngest = "token:crowd_ingest";

    public static readonly IReadOnlyDictionary<string, string[]> RolesOf = new Dictionary<string, string[]>
    {
        [SignedIn] = [.. Roles.All],
        [Staff] = [.. Roles.All.Where(r => r != Roles.Resident)],
        [PersonalData] = [.. Roles.ReadPersonalData],
        [Admin] = [Roles.Admin],
        [Dispatch] = [.. Vocabulary.Policies[Dispatch]],
        [Analysis] = [.. Vocabulary.Policies[Analysis]],
        [Planning] = [.. Vocabulary.Policies[Planning]],
        [Registration] = [.. Vocabulary.Policies[Registration]],
    };

    public static readonly IReadOnlyList<string> TokenPurposes = ["position_ingest", "incident_intake", "import", "crowd_ingest"];
}
