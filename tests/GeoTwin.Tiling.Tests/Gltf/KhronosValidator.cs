using System.Diagnostics;
using System.Text.Json;

namespace GeoTwin.Tiling.Tests.Gltf;

/// <summary>
/// The Khronos glTF-Validator (npm gltf-validator, run by node from GltfValidator/): a second, independent
/// reader of what GlbWriter writes. Installs itself with npm ci on first use.
/// </summary>
public static class KhronosValidator
{
    private static readonly Lazy<string> Folder = new(Install);

    /// <returns>one report a file: error and warning counts and the messages.</returns>
    public static IReadOnlyList<Report> Validate(params string[] files)
    {
        var output = Run("node", ["validate.mjs", .. files], Folder.Value);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonSerializer.Deserialize<Report>(line, new JsonSerializerOptions(JsonSerializerDefaults.Web))!)
            .ToList();
    }

    public sealed record Issue(string Code, int Severity, string? Pointer, string Message);
    public sealed record Report(string File, int Errors, int Warnings, List<Issue> Messages)
    {
        public override string ToString() => $"{File}: {Errors} errors, {Warnings} warnings\n" +
            string.Join("\n", Messages.Select(m => $"  [{m.Severity}] {m.Code} {m.Pointer}: {m.Message}"));
    }

    private static string Install()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "GeoTwin.sln"))) dir = Path.GetDirectoryName(dir);
        Assert.True(dir is not null, "the repository root (GeoTwin.sln) is not above the test binaries");
        var folder = Path.Combine(dir, "tests", "GeoTwin.Tiling.Tests", "GltfValidator");
        if (!File.Exists(Path.Combine(folder, "node_modules", "gltf-validator", "package.json")))
            Run("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], folder);
        return folder;
    }

    private static string Run(string program, string[] args, string workingDirectory)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)} exited {process.ExitCode}: {stderr}");
        return stdout.Result;
    }
}
