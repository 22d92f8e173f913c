using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace GeoTwin.Server.Tests.Cli;

/// <summary>The real GeoTwin binary as its own process, as ./geotwin runs it.</summary>
public sealed partial class ServerProcess : IDisposable
{
    readonly Process _process;
    readonly StringBuilder _output = new();

    ServerProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static string ServerDll
    {
        get
        {
            var beside = Path.Combine(AppContext.BaseDirectory, "GeoTwin.Server.dll");
            if (File.Exists(Path.Combine(AppContext.BaseDirectory, "GeoTwin.Server.runtimeconfig.json"))) return beside;
            throw new FileNotFoundException("GeoTwin.Server.runtimeconfig.json is not beside the tests; build the solution first");
        }
    }

    /// <param name="asUser">run through setpriv as this account (tests run as root in CI)</param>
    /// <param name="environment">variables to set for the child (e.g. a GC heap limit)</param>
    public static ServerProcess Start(string[] args, string? asUser = null, string? home = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        // Through env --default-signal=INT (coreutils 8.31+, Debian 12 has 9.1): a test run started in the background
        // (`dotnet test &`, as CI may) has SIGINT ignored, children inherit that, and .NET then leaves an ignored
        // SIGINT alone, so Ctrl-C would not reach the server. env resets it and execs, so Pid stays the server's.
        var psi = new ProcessStartInfo("env")
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
            WorkingDirectory = "/tmp",
        };
        psi.ArgumentList.Add("--default-signal=INT");
        psi.ArgumentList.Add(asUser is null ? "dotnet" : "setpriv");
        if (asUser is not null)
        {
            foreach (var a in new[] { $"--reuid={asUser}", $"--regid={(asUser == "nobody" ? "nogroup" : asUser)}", "--clear-groups", "--", "dotnet" })
                psi.ArgumentList.Add(a);
        }
        psi.ArgumentList.Add(ServerDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("GEOTWIN_DB");
        psi.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) psi.Environment[name] = value;
        if (home is not null)
        {
            psi.Environment["HOME"] = home;
            psi.Environment["DOTNET_CLI_HOME"] = home;
        }
        return new ServerProcess(Process.Start(psi)!);
    }

    public string Output { get { lock (_output) return _output.ToString(); } }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    public async Task<string> WaitForOutputAsync(Regex pattern, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var m = pattern.Match(Output);
            if (m.Success) return m.Groups.Count > 1 ? m.Groups[1].Value : m.Value;
            if (_process.HasExited) break;
            await Task.Delay(100);
        }
        throw new TimeoutException($"no output matching {pattern} within {timeout}; output so far:\n{Output}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public void Signal(int signal) => kill(_process.Id, signal);

    public static async Task<bool> IsGoneWithinAsync(int pid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            // A zombie no longer runs: count it as gone.
            var status = $"/proc/{pid}/status";
            if (!File.Exists(status) || File.ReadAllText(status).Contains("State:\tZ")) return true;
            await Task.Delay(100);
        }
        return false;
    }

    [GeneratedRegex(@"running at (http://[^ ]+?)/? ")]
    public static partial Regex RunningAt();

    [GeneratedRegex(@"private PostgreSQL ready on .* pid (\d+)\)")]
    public static partial Regex PostgresPid();

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int SIGINT = 2;

    [DllImport("libc")]
    static extern int kill(int pid, int sig);
}
