using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;
using NpgsqlTypes;

namespace GeoTwin.DataImport.Import.Layers;

/// <summary>A value that breaks a column's rule; the message is for the bad-row report.</summary>
public sealed class ValueException(string message) : Exception(message);

/// <summary>
/// A column of a layer's staging table: the source field names that fill it by convention (normalized: lower case,
/// no spaces, underscores or colons) and the rule its value must keep (the target table's CHECK, so a bad value is
/// reported with its row instead of failing the whole load).
/// </summary>
public sealed class Column
{
    Column(string name, NpgsqlDbType type, Func<string, object> parse, string[] aliases)
    {
        Name = name;
        Type = type;
        Parse = parse;
        Aliases = [.. new[] { name }.Concat(aliases).Select(Normalize).Distinct()];
    }

    public string Name { get; }
    public NpgsqlDbType Type { get; }
    /// <summary>Text to the typed value; throws <see cref="ValueException"/> with the reason.</summary>
    public Func<string, object> Parse { get; }
    /// <summary>Source field names in order of preference, normalized.</summary>
    public string[] Aliases { get; }
    public bool Required { get; private init; }
    public string? Default { get; private init; }

    public Column Needed() => new(Name, Type, Parse, Aliases) { Required = true, Default = Default };
    public Column Or(string fallback) => new(Name, Type, Parse, Aliases) { Required = Required, Default = fallback };

    /// <summary>
    /// A further rule on this column's parsed value alone (null: fine; else the whole reason). A rule of one column
    /// belongs here, not in the layer's cross-field <see cref="Layer.Complete"/>, so it is reported beside the row's other bad fields.
    /// </summary>
    public Column Where(Func<object, string?> rule) => new(Name, Type, v => Parse(v) is var value && rule(value) is { } why ? throw new ValueException(why) : value, Aliases)
        { Required = Required, Default = Default };

    /// <summary>Values are matched by case only: "-1" and "1" differ, "Yes" and "yes" do not.</summary>
    static string ValueKey(string value) => value.Trim().ToLowerInvariant();

    public static string Normalize(string name) =>
        string.Concat(name.Trim().ToLowerInvariant().Where(c => c is not ('_' or ' ' or '-' or ':' or '.')));

    public static Column Text(string name, int maxLength, params string[] aliases) =>
        new(name, NpgsqlDbType.Text, v => CleanText(name, v, maxLength), aliases);

    public static Column Code(string name, [StringSyntax(StringSyntaxAttribute.Regex)] string pattern, params string[] aliases)
    {
        var regex = new Regex(pattern, RegexOptions.CultureInvariant);
        return new(name, NpgsqlDbType.Text, v => regex.IsMatch(v) ? v : throw new ValueException($"{name} '{Shorten(v)}' does not match {pattern}"), aliases);
    }

    public static Column Custom(string name, Func<string, string?> reason, params string[] aliases) =>
        new(name, NpgsqlDbType.Text, v => reason(v) is { } why ? throw new ValueException($"{name} '{Shorten(v)}': {why}") : v, aliases);

    public static Column Int(string name, int min, int max, params string[] aliases) =>
        new(name, NpgsqlDbType.Integer, v => (int)Number(name, v, min, max, whole: true), aliases);

    public static Column Short(string name, int min, int max, params string[] aliases) =>
        new(name, NpgsqlDbType.Smallint, v => (short)Number(name, v, min, max, whole: true), aliases);

    public static Column Real(string name, double min, double max, params string[] aliases) =>
        new(name, NpgsqlDbType.Real, v => (float)Number(name, v, min, max, whole: false), aliases);

    /// <summary>One of the table's allowed values, also accepted in the words Chinese and OSM sources use for it.</summary>
    public static Column Choice(string name, IEnumerable<string> values, IReadOnlyDictionary<string, string> synonyms, params string[] aliases)
    {
        var allowed = values.ToDictionary(ValueKey, v => v);
        foreach (var (word, value) in synonyms) allowed[ValueKey(word)] = value;
        var list = string.Join(", ", values);
        return new(name, NpgsqlDbType.Text, v => allowed.TryGetValue(ValueKey(v), out var value) ? value
            : throw new ValueException($"{name} '{Shorten(v)}' is not one of {list}"), aliases);
    }

    /// <summary>A choice stored as a small integer (e.g. oneway -1/0/1).</summary>
    public static Column ShortChoice(string name, IReadOnlyDictionary<string, short> words, params string[] aliases)
    {
        var allowed = words.ToDictionary(kv => ValueKey(kv.Key), kv => kv.Value);
        return new(name, NpgsqlDbType.Smallint, v => allowed.TryGetValue(ValueKey(v), out var value) ? value
            : throw new ValueException($"{name} '{Shorten(v)}' is not one of {string.Join(", ", words.Keys.Take(8))}"), aliases);
    }

    /// <summary>A time; without an offset it is China Standard Time (UTC+8), the time police exports are written in.</summary>
    public static Column Time(string name, params string[] aliases) => new(name, NpgsqlDbType.TimestampTz, v =>
    {
        var styles = DateTimeStyles.AllowWhiteSpaces;
        if (DateTimeOffset.TryParse(v, CultureInfo.InvariantCulture, styles, out var t) && HasOffset(v)) return t.UtcDateTime;
        if (DateTime.TryParse(v, CultureInfo.InvariantCulture, styles, out var local)) return new DateTimeOffset(local, TimeSpan.FromHours(8)).UtcDateTime;
        throw new ValueException($"{name} '{Shorten(v)}' is not a date and time (e.g. 2024-05-01 13:45:00)");
    }, aliases);

    public static Column TextList(string name, params string[] aliases) => new(name, NpgsqlDbType.Array | NpgsqlDbType.Text,
        v => v.Split([',', ';', '|', '，', '、'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => CleanText(name, s, 100)).ToArray(), aliases);

    static bool HasOffset(string v) => v.EndsWith('Z') || Regex.IsMatch(v, @"[+-]\d{2}:?\d{2}$");

    static double Number(string name, string v, double min, double max, bool whole)
    {
        if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) || !double.IsFinite(d))
            throw new ValueException($"{name} '{Shorten(v)}' is not a number");
        if (whole && d != Math.Floor(d)) throw new ValueException($"{name} {v} is not a whole number");
        if (d < min || d > max) throw new ValueException($"{name} {v} is out of range ({min} to {max})");
        return d;
    }

    /// <summary>
    /// PostgreSQL text cannot hold NUL, and other control characters in a name or address are corruption, not data:
    /// both are refused; tabs and line breaks are kept. Too long is refused, not cut, so nothing is silently lost.
    /// </summary>
    static string CleanText(string name, string v, int maxLength)
    {
        foreach (var c in v)
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r'))
                throw new ValueException($"{name} holds the control character U+{(int)c:X4}");
        if (v.Length > maxLength) throw new ValueException($"{name} is {v.Length} characters long; at most {maxLength}");
        return v;
    }

    /// <summary>A value quoted in a message: short, and with control characters shown as '?' so a report cannot garble a terminal.</summary>
    static string Shorten(string v)
    {
        var shown = string.Concat(v.Take(60).Select(c => char.IsControl(c) ? '?' : c));
        return v.Length <= 60 ? shown : shown[..57] + "...";
    }
}
