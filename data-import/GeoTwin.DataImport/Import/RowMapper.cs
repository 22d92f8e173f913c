using GeoTwin.DataImport.Import.Layers;
using GeoTwin.DataImport.Reading;

namespace GeoTwin.DataImport.Import;

/// <summary>
/// Source fields to a layer's typed column values: the mapping's named field first, else the first field whose
/// normalized name is one of the column's aliases; then the mapping's or the layer's default; then the column's rule.
/// </summary>
sealed class RowMapper
{
    readonly Layer _layer;
    readonly Dictionary<string, (int Column, int Rank)> _byName = new();
    readonly Dictionary<string, string> _normalized = new();
    readonly string?[] _defaults;
    readonly (string? Field, string? Text)[] _found;
    readonly int[] _rank;
    readonly bool[] _failed;
    /// <summary>Reused row to row: the caller reads a row's errors before it maps the next.</summary>
    readonly List<FieldError> _errors = [];

    public RowMapper(Layer layer, ImportMapping mapping)
    {
        _layer = layer;
        var columns = layer.Columns;
        _found = new (string?, string?)[columns.Length];
        _rank = new int[columns.Length];
        _failed = new bool[columns.Length];
        _defaults = new string?[columns.Length];
        for (var i = 0; i < columns.Length; i++)
        {
            _defaults[i] = mapping.Defaults.GetValueOrDefault(columns[i].Name) ?? columns[i].Default;
            if (mapping.Fields.GetValueOrDefault(columns[i].Name) is { } named) _byName[Column.Normalize(named)] = (i, 0);
        }
        for (var i = 0; i < columns.Length; i++)
        {
            if (mapping.Fields.ContainsKey(columns[i].Name)) continue;
            for (var rank = 0; rank < columns[i].Aliases.Length; rank++) _byName.TryAdd(columns[i].Aliases[rank], (i, rank + 1));
        }
    }

    /// <summary>
    /// The values by column index (null where a value is missing or bad) and every bad field of the row (source field
    /// name) with why, in column order: a clerk fixes a row once, not once per reason. The layer's cross-field rule
    /// runs only when every field read, as it needs them all.
    /// </summary>
    /// <param name="partial">The record could not be read whole: a missing value may be the reader's loss, so only values present and wrong are errors.</param>
    public (object?[] Values, IReadOnlyList<FieldError> Errors) Map(SourceRecord record, bool partial = false)
    {
        Array.Fill(_failed, false);
        _errors.Clear();
        Array.Fill(_found, default);
        Array.Fill(_rank, int.MaxValue);
        foreach (var (name, text) in record.Fields)
        {
            if (!_normalized.TryGetValue(name, out var key))
            {
                key = Column.Normalize(name);
                if (_normalized.Count < 10_000) _normalized[name] = key; // a file with ever-new field names must not grow memory
            }
            if (_byName.TryGetValue(key, out var match) && match.Rank < _rank[match.Column])
            {
                _rank[match.Column] = match.Rank;
                _found[match.Column] = (name, string.IsNullOrWhiteSpace(text) ? null : text);
            }
        }
        var columns = _layer.Columns;
        var values = new object?[columns.Length];
        var errors = _errors;
        for (var i = 0; i < columns.Length; i++)
        {
            var (field, text) = _found[i];
            text ??= _defaults[i];
            if (text is null)
            {
                if (!columns[i].Required || partial) continue;
                _failed[i] = true;
                errors.Add(new(field ?? columns[i].Name, $"{columns[i].Name} is missing" + (field is null ? $" (no field named {string.Join(" / ", columns[i].Aliases.Take(4))}; map one with \"fields\")" : "")));
                continue;
            }
            try { values[i] = columns[i].Parse(text); }
            catch (ValueException e) { _failed[i] = true; errors.Add(new(field ?? columns[i].Name, e.Message)); }
        }
        if (errors.Count == 0 && !partial && _layer.Complete(_layer, values) is { } error)
            errors.Add(new(_found[_layer.IndexOf(error.Column)].Field ?? error.Column, error.Reason));
        return (values, errors);
    }

    /// <summary>Whether the last mapped row's value of the column (by index) was missing or could not be read.</summary>
    public bool Failed(int column) => column >= 0 && _failed[column];
}
