using System.Collections.Concurrent;
using System.Text;

namespace GeoTwin.Server.Infrastructure.Db;

/// <summary>One query a file, embedded beside the slice that runs it (e.g. "Status/root_jurisdiction.sql").</summary>
public static class EmbeddedSql
{
    static readonly ConcurrentDictionary<string, string> Cache = new();

    public static string Get(string path) => Cache.GetOrAdd(path, static p =>
    {
        var name = "GeoTwin.Server." + p.Replace('/', '.');
        using var stream = typeof(EmbeddedSql).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"no embedded SQL file {p}");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    });
}
