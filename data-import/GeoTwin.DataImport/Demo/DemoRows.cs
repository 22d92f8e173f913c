using NetTopologySuite.Geometries;

namespace GeoTwin.DataImport.Demo;

// The demo's rows as they go into the tables. Rows refer to each other by natural key (codes, call
// signs); the writer turns those into the ids PostgreSQL generates.

sealed record AddressRow(string Code, short ElementType, string? ParentCode, string FullText, string? DoorNumber,
    Point Location, string AreaCode, string? CommunityCode);

sealed record HouseRow(string Code, string AddressCode, MultiPolygon Footprint, double BaseM, double RoofM, int? Floors,
    string Use, string Ownership, int Rooms, double AreaM2, string AreaCode, string CommunityCode)
{
    public int Total { get; set; }
    public int Floating { get; set; }
    public int Foreign { get; set; }
}

/// <summary>A named place (beach, square, park, harbour, landmark) and the responsibility area that polices it (on the coast too).</summary>
sealed record PlaceRow(string Code, string Name, string Kind, Point Location, string AreaCode);
sealed record OrganizationRow(string Code, string Name, string Category, string? AddressCode, Point Location, string AreaCode, string CommunityCode);

sealed record CameraRow(string Id, string Name, Point Location, double MountHeightM, double? HeadingDeg, double FovDeg, double RangeM,
    string Kind, string Owner, string? SourceRef, string AreaCode);

sealed record UnitRow(string CallSign, string Kind, string DeviceId, string[] Capabilities, string Status, string StationCode,
    Point Position, double HeadingDeg);

sealed record IncidentRow(string Code, string Category, short Priority, string Description, Point Location, string? AddressCode,
    string Status, DateTime ReceivedUtc, DateTime? DispatchUtc, DateTime? ArrivalUtc, DateTime? ClosedUtc, string? UnitCallSign,
    string AreaCode, string CommunityCode);
