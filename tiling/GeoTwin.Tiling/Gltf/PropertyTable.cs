using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace GeoTwin.Tiling.Gltf;

/// <summary>The property types GeoTwin's features need; each maps to one EXT_structural_metadata type.</summary>
public enum PropertyType { String, Int32, Float64 }

public sealed record PropertyDefinition(string Name, PropertyType Type)
{
    /// <summary>A missing value is stored as this and declared as the property's noData, so Cesium shows it as undefined.</summary>
    internal object NoData => Type switch
    {
        PropertyType.String => "",
        PropertyType.Int32 => int.MinValue,
        _ => double.MinValue,
    };
}

/// <summary>An EXT_structural_metadata class: the named, typed properties every feature of a tile carries.</summary>
public sealed partial class FeatureClass
{
    public string Name { get; }
    public IReadOnlyList<PropertyDefinition> Properties { get; }

    public FeatureClass(string name, IReadOnlyList<PropertyDefinition> properties)
    {
        // The extension uses class and property names as JSON keys that must be identifiers.
        if (!Identifier().IsMatch(name)) throw new ArgumentException($"class name '{name}' is not an identifier ([A-Za-z_][A-Za-z0-9_]*)", nameof(name));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in properties)
        {
            if (!Identifier().IsMatch(p.Name)) throw new ArgumentException($"property name '{p.Name}' is not an identifier ([A-Za-z_][A-Za-z0-9_]*)", nameof(properties));
            if (!seen.Add(p.Name)) throw new ArgumentException($"property '{p.Name}' is defined twice", nameof(properties));
        }
        Name = name;
        Properties = properties.ToArray();
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex Identifier();
}

/// <summary>One row per feature, in feature-id order: the property table a tile's feature ids index.</summary>
public sealed class PropertyTable(FeatureClass featureClass)
{
    private readonly List<object>[] _columns = featureClass.Properties.Select(_ => new List<object>()).ToArray();

    public FeatureClass Class { get; } = featureClass;
    public int Count { get; private set; }

    public void Clear()
    {
        foreach (var c in _columns) c.Clear();
        Count = 0;
    }

    /// <summary>Adds a row; values are in the class's property order, null for a missing value.</summary>
    /// <exception cref="ArgumentException">a value count or type that does not fit the class, naming the property.</exception>
    public void Add(IReadOnlyList<object?> values)
    {
        if (Check(Class, values) is { } error) throw new ArgumentException(error, nameof(values));
        for (var i = 0; i < _columns.Length; i++) _columns[i].Add(Coerce(Class.Properties[i], values[i], out _)!);
        Count++;
    }

    /// <returns>null when the values fit the class, else what does not fit, naming the property.</returns>
    public static string? Check(FeatureClass featureClass, IReadOnlyList<object?> values)
    {
        var props = featureClass.Properties;
        if (values.Count != props.Count)
            return $"has {values.Count} property values, class '{featureClass.Name}' has {props.Count} properties";
        for (var i = 0; i < props.Count; i++)
            if (Coerce(props[i], values[i], out var error) is null) return error;
        return null;
    }

    /// <returns>the value as stored, or null with <paramref name="error"/> set.</returns>
    private static object? Coerce(PropertyDefinition p, object? value, out string? error)
    {
        error = null;
        if (value is null) return p.NoData;
        switch (p.Type)
        {
            case PropertyType.String when value is string s:
                return s;
            case PropertyType.Int32 when value is int or short or ushort or byte or sbyte or long:
                var l = Convert.ToInt64(value, CultureInfo.InvariantCulture);
                if (l is > int.MinValue and <= int.MaxValue) return (int)l;
                error = $"property '{p.Name}' must be a whole number between {int.MinValue + 1} and {int.MaxValue} ({int.MinValue} marks a missing value), got {l}";
                return null;
            case PropertyType.Float64 when value is double or float or int or long or short or decimal:
                var d = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (double.IsFinite(d)) return d;
                error = $"property '{p.Name}' must be a finite number, got {d}";
                return null;
            default:
                error = $"property '{p.Name}' must be {Describe(p.Type)}, got {value} ({value.GetType().Name})";
                return null;
        }
    }

    private static string Describe(PropertyType t) => t switch
    {
        PropertyType.String => "a string",
        PropertyType.Int32 => "a whole number that fits Int32",
        _ => "a number",
    };

    /// <summary>The binary columns as EXT_structural_metadata lays them out (little-endian, strings as UTF-8 plus UINT32 offsets).</summary>
    internal (byte[] Values, byte[]? StringOffsets) Encode(int property)
    {
        var column = _columns[property];
        switch (Class.Properties[property].Type)
        {
            case PropertyType.String:
                var offsets = new byte[4 * (column.Count + 1)];
                var length = 0;
                foreach (var s in column) length += Encoding.UTF8.GetByteCount((string)s);
                var utf8 = new byte[length];
                var at = 0;
                for (var i = 0; i < column.Count; i++)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(offsets.AsSpan(4 * i), (uint)at);
                    at += Encoding.UTF8.GetBytes((string)column[i], utf8.AsSpan(at));
                }
                BinaryPrimitives.WriteUInt32LittleEndian(offsets.AsSpan(4 * column.Count), (uint)at);
                return (utf8, offsets);
            case PropertyType.Int32:
                var ints = new byte[4 * column.Count];
                for (var i = 0; i < column.Count; i++) BinaryPrimitives.WriteInt32LittleEndian(ints.AsSpan(4 * i), (int)column[i]);
                return (ints, null);
            default:
                var doubles = new byte[8 * column.Count];
                for (var i = 0; i < column.Count; i++) BinaryPrimitives.WriteDoubleLittleEndian(doubles.AsSpan(8 * i), (double)column[i]);
                return (doubles, null);
        }
    }
}
