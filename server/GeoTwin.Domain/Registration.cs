namespace GeoTwin.Domain;

/// <summary>
/// Resident identity numbers (GB 11643-1999): 6-digit GB/T 2260 region code, birth date YYYYMMDD, 3-digit sequence,
/// one check character. The one place the rule lives: the declaration endpoints, the demo generator and the tests
/// all call it.
/// </summary>
public static class ResidentIdNumber
{
    static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const string CheckCharacters = "10X98765432";

    /// <summary>The check character of the first 17 digits.</summary>
    public static char CheckCharacter(ReadOnlySpan<char> first17)
    {
        if (first17.Length != 17) throw new ArgumentException("needs exactly 17 digits", nameof(first17));
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            if (!char.IsAsciiDigit(first17[i])) throw new ArgumentException("needs digits only", nameof(first17));
            sum += (first17[i] - '0') * Weights[i];
        }
        return CheckCharacters[sum % 11];
    }

    /// <returns>null when well formed, else the reason (worded to follow the field name: "idNumber: ...")</returns>
    public static string? Problem(string? value, DateOnly today)
    {
        if (string.IsNullOrEmpty(value)) return "is required: the 18-character resident ID number";
        if (value.Length != 18) return $"has {value.Length} characters; a resident ID number has 18 (GB 11643)";
        for (var i = 0; i < 17; i++)
            if (!char.IsAsciiDigit(value[i])) return "must be 17 digits and a check character (a digit or X)";
        var last = char.ToUpperInvariant(value[17]);
        if (!char.IsAsciiDigit(last) && last != 'X') return "must end in a digit or X (the check character)";
        if (!DateOnly.TryParseExact(value.AsSpan(6, 8), "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.None, out var born))
            return $"holds no birth date at characters 7-14 ('{value.Substring(6, 8)}' is not a date)";
        if (born > today || born.Year < 1900) return $"holds the birth date {born:yyyy-MM-dd}, which cannot be right";
        var expected = CheckCharacter(value.AsSpan(0, 17));
        return last == expected ? null : $"has the check character '{last}' but its digits give '{expected}' (GB 11643): a digit is mistyped";
    }

    /// <summary>Upper-case X, as stored.</summary>
    public static string Normalize(string value) => value.ToUpperInvariant();

    /// <summary>
    /// A foreigner's permanent-residence ID card (2023 format) is 18 characters under the same check rule, with the
    /// region code replaced by a leading 9: the one sign a declaration gives that the person is foreign.
    /// </summary>
    public static bool IsForeignPermanentResident(string value) => value.StartsWith('9');

    /// <summary>What a landlord sees of a tenant's number: region and check character, the birth date and sequence hidden.</summary>
    public static string Mask(string value) => value.Length == 18 ? string.Concat(value.AsSpan(0, 6), "********", value.AsSpan(14, 4)) : "******";

    /// <summary>A well-formed number for generated (not real) people: <paramref name="region"/> should be a code GB/T 2260 never gave.</summary>
    public static string Make(string region, DateOnly born, int sequence)
    {
        var first17 = $"{region}{born:yyyyMMdd}{sequence:000}";
        return first17 + CheckCharacter(first17);
    }
}

/// <summary>When a declaration is due: a number of working days after the day it concerns (arrival or departure).</summary>
public static class WorkingDays
{
    /// <summary>
    /// The day <paramref name="days"/> working days (Monday to Friday) after <paramref name="from"/>. Public holidays
    /// and the make-up working weekends the State Council announces each year are not known here, so around them the
    /// due date can be a day or two early: the flag errs toward reminding the officer.
    /// </summary>
    public static DateOnly Add(DateOnly from, int days)
    {
        var d = from;
        for (var added = 0; added < days;)
        {
            d = d.AddDays(1);
            if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)) added++;
        }
        return d;
    }
}
