namespace GeoTwin.Server.Addresses.Registration;

/// <summary>What a resident declares at a plate. Dates as text (yyyy-MM-dd) so a malformed one is refused by name.</summary>
public sealed record DeclarationInput(string? Kind, string? Subject, string? FullName, string? IdNumber, string? Phone,
    string? ArrivedOn, string? ExpectedLeaveOn, string? LeftOn);

/// <summary>A decision's reason (required to reject or send back).</summary>
public sealed record DecisionInput(string? Reason);

public sealed record DeclarationEvent(string Action, string? Reason, string ByName, string ByRole, DateTimeOffset At);

/// <summary>
/// A declaration with its trail (who declared, confirmed, approved, when). Personal data: every answer that carries
/// declarations is audited; a landlord gets the ID number masked.
/// </summary>
public sealed record Declaration(long Id, string Kind, string Subject, string AddressCode, string AddressText, string HouseCode, long HouseId,
    string FullName, string IdNumber, string? Phone, bool ForeignNational, DateOnly ArrivedOn, DateOnly? ExpectedLeaveOn, DateOnly? LeftOn,
    DateOnly DueOn, bool Overdue, string Status, string DeclaredBy, DateTimeOffset DeclaredAt, DateTimeOffset? DecidedAt,
    IReadOnlyList<DeclarationEvent> Events);

/// <summary>A resident signing themselves up at a plate, or created by the officer (then with the address to link).</summary>
public sealed record ResidentInput(string? Username, string? Password, string? FullName, string? Phone, string? AddressCode, bool Landlord = false);

/// <summary>The officer links a resident to an address (and, when landlord, to the house there as its landlord).</summary>
public sealed record LinkInput(string? AddressCode, bool Landlord = false);

/// <summary>Personal data (name, phone): shown to the officer of the jurisdiction, audited.</summary>
public sealed record ResidentAccount(long UserId, string FullName, string Phone, string? AskedAddressCode, string? AskedAddressText,
    bool Linked, DateTimeOffset CreatedAt);
