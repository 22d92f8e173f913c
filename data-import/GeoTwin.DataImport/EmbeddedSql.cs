using System.Collections.Concurrent;
using System.Text;

namespace GeoTwin.DataImport;

/// <summary>One query a file, embedded beside the code that runs it (e.g. "Crs/srtext.sql").</summary>
static class EmbeddedSql
{
    static readonly ConcurrentDictionary<string, string> Cache = new();

    public static string Get(string path) => Cache.GetOrAdd(path, static p =>
    {
        using var stream = typeof(EmbeddedSql).Assembly.GetManifestResourceStream("GeoTwin.DataImport." + p.Replace('/', '.'))
            ?? throw new InvalidOperationException($"no embedded SQL file {p}");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    });
}
