using System.Diagnostics;
using System.Text.RegularExpressions;

namespace GeoTwin.DataImport;

/// <summary>
/// Temporary folders GeoTwin makes (server and CLI) carry their owner in the name, geotwin-tmp-{machine}_{pid}_{nonce}-{kind}-{guid},
/// so a start can remove what a killed process left behind without touching the folders of one still running. The nonce
/// tells this process from an earlier one that had the same pid (a container's server is often pid 1 every time).
/// </summary>
public static class OwnedFolders
{
    public const string TempPrefix = "geotwin-tmp-";
    static readonly string Nonce = Guid.NewGuid().ToString("N")[..8];
    // Before Self: static initializers run in declaration order.
    static readonly string Machine = Regex.Replace(Environment.MachineName, "[^A-Za-z0-9-]", "-");
    static readonly Regex Owner = new(@"^([A-Za-z0-9-]+_[0-9]+_[0-9a-f]{8})-");

    /// <summary>This process as a job worker or folder owner: machine_pid_nonce.</summary>
    public static string Self { get; } = $"{Machine}_{Environment.ProcessId}_{Nonce}";

    /// <summary>A new folder in the system's temporary folder, owned by this process.</summary>
    public static DirectoryInfo CreateTemp(string kind) =>
        Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"{TempPrefix}{Self}-{kind}-{Guid.NewGuid():N}"));

    /// <summary>
    /// Whether the owner (machine_pid_nonce) is known to be gone: a process of this machine that no longer runs, or
    /// an earlier process with this process's pid. Another machine's owner is unknown here: null.
    /// </summary>
    public static bool? IsGone(string owner)
    {
        var parts = owner.Split('_');
        if (parts.Length != 3 || !int.TryParse(parts[1], out var pid)) return null;
        if (parts[0] != Machine) return null;
        if (pid == Environment.ProcessId) return parts[2] != Nonce;
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException) { return true; }
    }

    /// <summary>The owner part of a name made by <see cref="CreateTemp"/> or carrying "{prefix}{owner}-", else null.</summary>
    public static string? OwnerOf(string name, string prefix = TempPrefix) =>
        name.StartsWith(prefix, StringComparison.Ordinal) && Owner.Match(name[prefix.Length..]) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>Removes the folders under <paramref name="parent"/> named {prefix}{owner}-... whose owner is gone; returns how many.</summary>
    public static int RemoveLeftovers(string parent, string prefix = TempPrefix)
    {
        if (!Directory.Exists(parent)) return 0;
        var removed = 0;
        foreach (var dir in Directory.EnumerateDirectories(parent, prefix + "*"))
        {
            if (OwnerOf(Path.GetFileName(dir), prefix) is not { } owner || IsGone(owner) != true) continue;
            try { Directory.Delete(dir, recursive: true); removed++; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // another user's, or in use: left alone
        }
        return removed;
    }
}
