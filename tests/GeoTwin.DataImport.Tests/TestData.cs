namespace GeoTwin.DataImport.Tests;

/// <summary>The project's own copies of the real sample files (data-import/data), found from the test binary.</summary>
public static class TestData
{
    public static string MonacoPbf => Path.Combine(Root, "data-import", "data", "monaco-latest.osm.pbf");

    static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "GeoTwin.sln"))) return dir.FullName;
            throw new InvalidOperationException("GeoTwin.sln not found above the test binary");
        }
    }
}
