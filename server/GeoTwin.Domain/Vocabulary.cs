using System.Collections;
using System.Text.Json;

namespace GeoTwin.Domain;

/// <summary>A user-visible name in both languages the viewer speaks.</summary>
public sealed record Label(string Zh, string En);

/// <summary>
/// An ordered list of codes with their labels. It is a list of strings so that checks read as before
/// (<c>Vocabulary.IncidentCategories.Contains(x)</c>) and <see cref="ToString"/> gives the "one of ..." text of a refusal.
/// </summary>
public sealed class CodeList : IReadOnlyList<string>
{
    readonly string[] _codes;
    readonly Dictionary<string, Label> _labels;

    internal CodeList(IEnumerable<(string Code, Label Label)> entries)
    {
        var list = entries.ToList();
        _codes = [.. list.Select(e => e.Code)];
        _labels = list.ToDictionary(e => e.Code, e => e.Label, StringComparer.Ordinal);
    }

    public int Count => _codes.Length;
    public string this[int index] => _codes[index];
    public bool Contains(string? code) => code is not null && _labels.ContainsKey(code);

    /// <summary>The label of a code; throws for a code that is not in the list (a caller's bug, not a user's input).</summary>
    public Label LabelOf(string code) => _labels.TryGetValue(code, out var label) ? label
        : throw new KeyNotFoundException($"'{code}' is not one of {this}");

    public IEnumerator<string> GetEnumerator() => ((IEnumerable<string>)_codes).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>"a, b, c": what a refusal lists after "must be one of".</summary>
    public override string ToString() => string.Join(", ", _codes);
}

/// <summary>How soon an incident of a priority should have a unit dispatched and on scene, in minutes from intake.</summary>
public sealed record PriorityTarget(int DispatchMinutes, int ArrivalMinutes)
{
    /// <summary>The one overdue rule: not dispatched past the dispatch target, or nobody arrived past the arrival target.</summary>
    public bool IsOverdue(DateTime receivedAt, DateTime? firstDispatchAt, DateTime? firstArrivalAt, DateTime now) =>
        (firstDispatchAt is null && (now - receivedAt).TotalMinutes >= DispatchMinutes)
        || (firstArrivalAt is null && (now - receivedAt).TotalMinutes >= ArrivalMinutes);
}

/// <summary>A named set of incident categories (e.g. 两抢一盗), a filter the viewer offers.</summary>
public sealed record CategoryGroup(string Name, Label Label, IReadOnlyList<string> Categories);

/// <summary>
/// How old a unit's last fix may be: "live" below StaleSeconds, "stale" from it, "offline" from OfflineSeconds,
/// "never" without a fix. Live colours units by it and Dispatch recommends only units that are not offline.
/// </summary>
public sealed record PositionFreshness(int StaleSeconds, int OfflineSeconds)
{
    public const string Live = "live", Stale = "stale", Offline = "offline", Never = "never";

    public string Classify(DateTime? lastFix, DateTime now) => lastFix is not { } at ? Never : ClassifyAge((now - at).TotalSeconds);

    /// <summary>The same rule for an age already measured (e.g. by the database's clock).</summary>
    public string ClassifyAge(double? ageSeconds) => ageSeconds is not { } age ? Never
        : age >= OfflineSeconds ? Offline : age >= StaleSeconds ? Stale : Live;

    public bool IsOffline(DateTime? lastFix, DateTime now) => Classify(lastFix, now) is Offline or Never;

    /// <summary>The vocabulary's numbers with a deployment's overrides (either may be null: keep the vocabulary's).</summary>
    public PositionFreshness With(int? staleSeconds, int? offlineSeconds)
    {
        var result = new PositionFreshness(staleSeconds ?? StaleSeconds, offlineSeconds ?? OfflineSeconds);
        if (result.StaleSeconds <= 0 || result.OfflineSeconds < result.StaleSeconds)
            throw new ArgumentException($"freshness: need 0 < StaleSeconds ({result.StaleSeconds}) <= OfflineSeconds ({result.OfflineSeconds})");
        return result;
    }
}

/// <summary>
/// The codes every slice shares, read once from the embedded vocabulary.json (the file the client imports too).
/// Add a code there, not here: a test holds the SQL CHECK constraints and the client to the same file.
/// </summary>
public static class Vocabulary
{
    static readonly JsonElement Root = Load();

    public static CodeList IncidentCategories { get; } = Codes("incidentCategories");
    public static IReadOnlyList<CategoryGroup> IncidentCategoryGroups { get; } = [.. Root.GetProperty("incidentCategoryGroups").EnumerateObject()
        .Where(p => !p.Name.StartsWith('_'))
        .Select(p => new CategoryGroup(p.Name, LabelIn(p.Value), [.. p.Value.GetProperty("categories").EnumerateArray().Select(c => c.GetString()!)]))];
    /// <summary>"1" (most urgent) to "4"; <see cref="HighestPriority"/>..<see cref="LowestPriority"/> as numbers.</summary>
    public static CodeList IncidentPriorities { get; } = Codes("incidentPriorities");
    public static int HighestPriority { get; } = IncidentPriorities.Select(int.Parse).Min();
    public static int LowestPriority { get; } = IncidentPriorities.Select(int.Parse).Max();
    /// <summary>Per priority: minutes from intake to the first dispatch and to the first arrival; past either an open incident is overdue.</summary>
    public static IReadOnlyDictionary<int, PriorityTarget> PriorityTargets { get; } = Entries("incidentPriorities").ToDictionary(p => int.Parse(p.Name),
        p => new PriorityTarget(p.Value.GetProperty("targetMinutes").GetProperty("dispatch").GetInt32(), p.Value.GetProperty("targetMinutes").GetProperty("arrival").GetInt32()));
    public static CodeList IncidentStatuses { get; } = Codes("incidentStatuses");
    /// <summary>Statuses of an incident not yet ended (what status=open means).</summary>
    public static IReadOnlyList<string> OpenIncidentStatuses { get; } = Flagged("incidentStatuses", "open");
    public static CodeList UnitStatuses { get; } = Codes("unitStatuses");
    public static CodeList UnitKinds { get; } = Codes("unitKinds");
    static readonly Dictionary<string, double> ResponseSpeeds = Entries("unitKinds")
        .ToDictionary(p => p.Name, p => p.Value.GetProperty("responseKmh").GetDouble(), StringComparer.Ordinal);

    /// <summary>
    /// How fast a unit of this kind goes to an incident (km/h): the one speed both the recommendation's ETA and the demo
    /// simulator's drive use, so the time on the dispatcher's screen is the time the unit takes.
    /// </summary>
    public static double ResponseKmh(string kind) => ResponseSpeeds.TryGetValue(kind, out var kmh) ? kmh
        : throw new KeyNotFoundException($"unit kind '{kind}' is not one of {UnitKinds}");
    public static PositionFreshness Freshness { get; } = new(
        Root.GetProperty("positionFreshness").GetProperty("staleSeconds").GetInt32(),
        Root.GetProperty("positionFreshness").GetProperty("offlineSeconds").GetInt32());
    public static IReadOnlyDictionary<string, Label> FreshnessLabels { get; } = Root.GetProperty("positionFreshness").GetProperty("label")
        .EnumerateObject().ToDictionary(p => p.Name, p => Pair(p.Value));
    public static CodeList Roles { get; } = Codes("roles");
    /// <summary>Roles whose work needs people, phones and ID numbers (every such read is audited).</summary>
    public static IReadOnlyList<string> RolesReadingPersonalData { get; } = Flagged("roles", "personalData");
    /// <summary>Named role sets ("dispatch", "analysis", "planning") that endpoint groups require.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Policies { get; } = Root.GetProperty("policies").EnumerateObject()
        .Where(p => !p.Name.StartsWith('_'))
        .ToDictionary(p => p.Name, p => (IReadOnlyList<string>)[.. p.Value.EnumerateArray().Select(r => Known(Roles, r.GetString()!, $"policies.{p.Name}"))]);

    /// <summary>The four-colour warning's place kinds, levels, default thresholds and responsible people's roles.</summary>
    public static WarningVocabulary Warnings { get; } = new(Root.GetProperty("warnings"),
        section => new CodeList(Root.GetProperty("warnings").GetProperty(section).EnumerateObject().Where(p => !p.Name.StartsWith('_'))
            .Select(p => (p.Name, LabelIn(p.Value)))), IncidentCategoryGroups);

    /// <summary>Resident registration at the door plate (issue #19): what is declared, by whom, and where it stands.</summary>
    /// <summary>What a geofence watches for (enter, exit, inside, outside, cross, dwell): Live/Geofences.</summary>
    public static CodeList GeofenceRules { get; } = Codes("geofenceRules");
    /// <summary>Crowd warning levels of counting areas, least severe first (normal, yellow, orange, red): Live/Crowds.</summary>
    public static CodeList CrowdLevels { get; } = Codes("crowdLevels");
    public static CodeList DeclarationKinds { get; } = Codes("declarationKinds");
    public static CodeList DeclarationSubjects { get; } = Codes("declarationSubjects");
    public static CodeList DeclarationStatuses { get; } = Codes("declarationStatuses");
    public static CodeList DeclarationActions { get; } = Codes("declarationActions");
    /// <summary>Roles that approve registrations and manage resident accounts (the community officer; admins too).</summary>
    public static IReadOnlyList<string> RegistrationApprovers { get; } =
        [.. Root.GetProperty("registrationApprovers").EnumerateArray().Select(r => Known(Roles, r.GetString()!, "registrationApprovers"))];

    /// <summary>The vocabulary.json text itself, for tools and tests that compare other copies with it.</summary>
    public static string Json { get; } = Read();

    static string Read()
    {
        using var stream = typeof(Vocabulary).Assembly.GetManifestResourceStream("GeoTwin.Domain.vocabulary.json")
            ?? throw new InvalidOperationException("vocabulary.json is not embedded in GeoTwin.Domain");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    static JsonElement Load()
    {
        using var doc = JsonDocument.Parse(Read(), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        return doc.RootElement.Clone();
    }

    static IEnumerable<JsonProperty> Entries(string section) =>
        Root.GetProperty(section).EnumerateObject().Where(p => !p.Name.StartsWith('_'));

    static CodeList Codes(string section) => new(Entries(section).Select(p => (p.Name, LabelIn(p.Value))));

    static List<string> Flagged(string section, string flag) =>
        [.. Entries(section).Where(p => p.Value.TryGetProperty(flag, out var f) && f.GetBoolean()).Select(p => p.Name)];

    static Label LabelIn(JsonElement entry) => Pair(entry.GetProperty("label"));

    static Label Pair(JsonElement pair) => new(pair[0].GetString()!, pair[1].GetString()!);

    static string Known(CodeList list, string code, string where) =>
        list.Contains(code) ? code : throw new InvalidOperationException($"vocabulary.json {where}: '{code}' is not one of {list}");
}
