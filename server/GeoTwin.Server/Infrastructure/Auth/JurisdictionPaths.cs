namespace GeoTwin.Server.Infrastructure.Auth;

/// <summary>
/// Jurisdiction paths (ltree text such as "1.2.7") and scopes ('*' or a path) in memory, for what PostgreSQL's row-level
/// security cannot reach: live positions, hub groups, recommendation eligibility. Same rule as the database's
/// <c>jurisdiction_path &lt;@ scope</c>.
/// </summary>
public static class JurisdictionPaths
{
    /// <summary>ltree's <c>path &lt;@ scope</c>: the path is the scope or below it; '*' holds everything.</summary>
    public static bool InScope(string path, string scope) =>
        scope == "*" || path == scope || (path.StartsWith(scope, StringComparison.Ordinal) && path.Length > scope.Length && path[scope.Length] == '.');

    /// <summary>Every scope that may see a row of this path: '*' and each ancestor path, itself included.</summary>
    public static IEnumerable<string> ScopesSeeing(string path)
    {
        yield return "*";
        for (var i = path.IndexOf('.'); i >= 0; i = path.IndexOf('.', i + 1)) yield return path[..i];
        yield return path;
    }
}
