namespace GeoTwin.Server.Import;

/// <summary>The operator's import limits from configuration, read the same way by `geotwin import` and by upload jobs.</summary>
public static class ImportLimits
{
    /// <summary>
    /// <c>GeoTwin:Import:MaxVertices:&lt;layer&gt;</c> (e.g. <c>GeoTwin:Import:MaxVertices:houses = 20000</c>); null: the
    /// layer catalog's default. Only the operator sets it: an upload cannot carry its own.
    /// </summary>
    public static int? MaxVertices(IConfiguration config, string layer)
    {
        var key = $"GeoTwin:Import:MaxVertices:{layer}";
        return config[key] is not { } text ? null
            : int.TryParse(text, out var n) && n > 0 ? n
            : throw new InvalidOperationException($"{key} must be a whole number above 0, got '{text}'");
    }
}
