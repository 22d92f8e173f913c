namespace GeoTwin.Server.Addresses;

public sealed record AddressSummary(string Code, int ElementType, string FullText, string? DoorNumber, double Lon, double Lat, string Status);
public sealed record HouseSummary(long Id, string Code, string Use, int? Floors, int ResidentsTotal, int ResidentsFloating);
public sealed record AddressDetail(AddressSummary Address, IReadOnlyList<HouseSummary> Houses);
public sealed record HouseDetail(long Id, string Code, string? AddressCode, string? AddressText, string Use, int? Floors, int? Rooms,
    double BaseHeightM, double RoofHeightM, int ResidentsTotal, int ResidentsRegistered, int ResidentsFloating, int ResidentsForeign,
    double Lon, double Lat);
/// <summary>
/// A house's resident counts, for the 3D houses' floating-share colours: served by the scoped API only (the houses
/// tileset carries none, as every staff member of every station loads it).
/// </summary>
public sealed record HouseCounts(long Id, int ResidentsTotal, int ResidentsRegistered, int ResidentsFloating, int ResidentsForeign)
{
    /// <summary>Floating residents over all residents (4 decimals), or null for an empty house.</summary>
    public double? FloatingShare => ResidentsTotal > 0 ? Math.Round((double)ResidentsFloating / ResidentsTotal, 4) : null;
}
/// <summary>Personal data: returned only to roles that read it, and every return is audited.</summary>
public sealed record PersonRecord(long Id, string FullName, string? IdNumber, string? Phone, bool Floating, bool ForeignNational,
    DateOnly ArrivedOn, DateOnly? ExpectedLeaveOn);
/// <summary>What a door-plate QR scan shows: residents get the address; staff also the houses at it.</summary>
/// <summary>Landlord: the resident is the landlord of a house at the address (they confirm the tenants declared there).</summary>
public sealed record QrPage(AddressSummary Address, IReadOnlyList<HouseSummary>? Houses, bool CanDeclareArrivalOrDeparture, bool Landlord = false);
public sealed record SearchHit(string Kind, string Key, string Label, double Lon, double Lat);

/// <summary>A named place (beach, square, park, harbour, landmark, or an organization) where an incident can be said to be.</summary>
public sealed record NamedPlace(string Name, double Lon, double Lat);
