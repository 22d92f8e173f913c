namespace GeoTwin.Server.Dispatch;

/// <summary>Where an alarm is: exactly one of an address code, a door-plate QR URL, an address text, or coordinates.</summary>
/// <param name="Datum">of Lon/Lat: "wgs84" (default) or "gcj02" (Chinese web maps)</param>
public sealed record IncidentLocation(string? AddressCode, string? QrUrl, string? AddressText, double? Lon, double? Lat, string? Datum);

/// <param name="ReceivedAt">when the call came in, for a call entered late (a call-taker writes it up after the rush, a
/// radio call noted later); the intake time when left out. The overview's timers and overdue marks run from it.</param>
public sealed record NewIncident(string? Category, int? Priority, string? Description, string? CallerPhone, string? CallerName,
    IncidentLocation? Location, DateTimeOffset? ReceivedAt = null);

public sealed record MergeOffer(string Code, string Category, int Priority, string Status, DateTime ReceivedAt, double Lon, double Lat, double DistanceM);

public sealed record IncidentCreated(string Code, double Lon, double Lat, string Jurisdiction, string? AddressCode, IReadOnlyList<MergeOffer> MergeCandidates);

public sealed record AddressSuggestion(string Code, string Text, double Lon, double Lat);

public sealed record IncidentUnit(long UnitId, string CallSign, string UnitStatus, DateTime DispatchedAt, string DispatchedBy, float? EtaSeconds,
    DateTime? ArrivedAt, string? ArrivalHow, DateTime? ReleasedAt, string? ReleaseReason);

public sealed record IncidentDetail(string Code, string Category, int Priority, string Status, double Lon, double Lat, string Jurisdiction,
    DateTime ReceivedAt, DateTime? FirstDispatchAt, DateTime? FirstArrivalAt, DateTime? ClosedAt, string? Description, string? Disposition,
    string? MergedInto, IReadOnlyList<IncidentUnit> Units);

public sealed record TrailEntry(DateTime At, string Actor, string Kind, long? UnitId, string? CallSign, string? Details);

/// <param name="SeenStatus">the unit's status as the dispatcher saw it; if it changed meanwhile the dispatch is refused</param>
public sealed record UnitChoice(long? UnitId, string? SeenStatus);

public sealed record DispatchRequest(IReadOnlyList<UnitChoice>? Units);

public sealed record UnitRequest(long? UnitId);

public sealed record ReassignRequest(long? UnitId, UnitChoice? To);

public sealed record FinishRequest(string? Disposition, string? Reason);

public sealed record MergeRequest(string? Into);

/// <summary>What a dispatcher's screen hears on /hubs/dispatch: refetch this incident.</summary>
public sealed record IncidentChanged(string Code, string Status, string Change);
