using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace GeoTwin.Server.Infrastructure.Db;

public sealed record PrivateClusterOptions
{
    /// <summary>Folder that holds the cluster (postgres/), its password and its lock.</summary>
    public required string DataDirectory { get; init; }
    /// <summary>Unprivileged account that runs PostgreSQL when GeoTwin runs as root.</summary>
    public string? RunAsUser { get; init; }
    /// <summary>Folder with initdb and postgres; found under /usr/lib/postgresql when unset.</summary>
    public string? PgBinDirectory { get; init; }
    /// <summary>Loopback port for PostgreSQL; a free one is picked when unset.</summary>
    public int? Port { get; init; }
    public string DatabaseName { get; init; } = "geotwin";
    /// <summary>
    /// Connection string of a primary (its superuser, which may replicate): the cluster is made a streaming
    /// replica of it on first start (pg_basebackup -R: standby.signal and primary_conninfo), a hot standby
    /// that answers reads only. Standard PostgreSQL, no extension.
    /// </summary>
    public string? ReplicaOf { get; init; }
}

/// <summary>
/// GeoTwin's embedded default database: a PostgreSQL cluster of its own under the data directory,
/// listening on 127.0.0.1 only, started with GeoTwin and stopped with it.
/// </summary>
public sealed class PrivateCluster : IAsyncDisposable
{
    public const string SuperUser = "geotwin";
    const string InstallHint =
        "install it with: sudo apt-get install -y postgresql-15 postgresql-15-postgis-3 postgresql-15-pgrouting " +
        "(or run ./geotwin up, which does), or point GEOTWIN_DB at an existing PostGIS database";

    readonly FileStream _lock;
    readonly string _binDir;
    readonly string _pgData;
    readonly string? _runAs;
    readonly string _adminConnectionString;
    // Replaced by RestartAsync; StopAsync and RestartAsync take turns through _gate.
    volatile Postmaster _postmaster;
    readonly SemaphoreSlim _gate = new(1, 1);
    readonly CancellationTokenSource _stopping = new();

    PrivateCluster(FileStream dirLock, Postmaster postmaster, string connectionString, int port, string binDir, string pgData, string? runAs, string adminConnectionString)
    {
        _lock = dirLock;
        _postmaster = postmaster;
        ConnectionString = connectionString;
        Port = port;
        _binDir = binDir;
        _pgData = pgData;
        _runAs = runAs;
        _adminConnectionString = adminConnectionString;
    }

    public string ConnectionString { get; }
    public int Port { get; }
    public int ProcessId => _postmaster.Process.Id;
    public bool IsRunning => !_postmaster.Process.HasExited;
    /// <summary>True once StopAsync began: an exit from then on is the one GeoTwin asked for.</summary>
    public bool Stopping => _stopping.IsCancellationRequested;

    /// <summary>Completes when the current postmaster exits, with how it exited ("exit code 1", "signal 9").</summary>
    public Task<string> ExitedAsync() => _postmaster.Exited;

    /// <summary>The postmaster and its end, known from the exit itself, not from its output pipes closing (backends keep those open).</summary>
    sealed record Postmaster(Process Process, Task<string> Exited);

    public static async Task<PrivateCluster> StartAsync(PrivateClusterOptions options, Action<string>? log = null, CancellationToken ct = default)
    {
        log ??= _ => { };
        var binDir = FindPgBin(options.PgBinDirectory);
        RequireExtensions(binDir);

        var dataDir = Path.GetFullPath(options.DataDirectory);
        PrepareWritableDirectory(dataDir);
        var dirLock = TakeLock(dataDir);
        try
        {
            var runAs = geteuid() == 0 ? ResolveRunAsUser(options.RunAsUser) : null;
            var pgData = Path.Combine(dataDir, "postgres");
            var passwordFile = Path.Combine(dataDir, "postgres-password");

            if (!File.Exists(Path.Combine(pgData, "PG_VERSION")))
            {
                if (options.ReplicaOf is { } primary) await BaseBackupAsync(binDir, primary, pgData, passwordFile, runAs, log, ct);
                else await InitClusterAsync(binDir, dataDir, pgData, passwordFile, runAs, log, ct);
            }
            else if (runAs is not null)
                Run("chown", "-R", $"{runAs}:", pgData); // survives a data folder copied between machines

            await StopOrphanAsync(pgData, log);

            var port = options.Port ?? FreeLoopbackPort();
            if (options.Port is not null && !IsPortFree(port))
                throw new StartupException($"port {port} for the private PostgreSQL is in use: choose another or leave it unset to pick a free one");

            var earlyOutput = new StringBuilder();
            var postmaster = StartPostmaster(binDir, pgData, port, runAs, earlyOutput);
            var password = (await File.ReadAllTextAsync(passwordFile, ct)).Trim();
            var admin = new NpgsqlConnectionStringBuilder
            {
                Host = "127.0.0.1", Port = port, Username = SuperUser, Password = password,
                Database = "postgres", Pooling = false, Timeout = 5,
            }.ConnectionString;

            await WaitUntilAcceptingAsync(admin, postmaster, earlyOutput, ct);
            // A standby is read-only: its databases are the primary's.
            if (options.ReplicaOf is null) await EnsureDatabaseAsync(admin, options.DatabaseName, ct);
            log($"private PostgreSQL {(options.ReplicaOf is null ? "" : "replica ")}ready on 127.0.0.1:{port} (data {pgData}, pid {postmaster.Process.Id})");

            var cs = new NpgsqlConnectionStringBuilder(admin) { Database = options.DatabaseName, Pooling = true }.ConnectionString;
            return new PrivateCluster(dirLock, postmaster, cs, port, binDir, pgData, runAs, admin);
        }
        catch
        {
            dirLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Starts PostgreSQL again after its postmaster exited while GeoTwin runs: same data directory, same port, so
    /// every connection string stays valid. Clears what the dead postmaster left: backends still running
    /// (they hold its shared memory, and PostgreSQL refuses to start beside them) and a postmaster.pid whose pid
    /// is no longer ours (a recycled pid would make PostgreSQL believe another postmaster runs).
    /// </summary>
    public async Task RestartAsync(Action<string>? log = null, CancellationToken ct = default)
    {
        log ??= _ => { };
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _stopping.Token);
        await _gate.WaitAsync(linked.Token);
        try
        {
            linked.Token.ThrowIfCancellationRequested();
            if (!_postmaster.Process.HasExited) return; // already back
            await StopLeftoversAsync(_pgData, log);
            RemoveStalePidFile(_pgData, log);
            if (!IsPortFree(Port))
                throw new StartupException($"port {Port} of the private PostgreSQL is taken by another program");
            var output = new StringBuilder();
            // Published before it accepts connections, so a StopAsync from now on stops this one.
            _postmaster = StartPostmaster(_binDir, _pgData, Port, _runAs, output);
            await WaitUntilAcceptingAsync(_adminConnectionString, _postmaster, output, linked.Token);
            log($"private PostgreSQL ready on 127.0.0.1:{Port} (data {_pgData}, pid {_postmaster.Process.Id})");
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Fast shutdown: disconnects clients, checkpoints, exits; escalates only if PostgreSQL hangs.</summary>
    public async Task StopAsync()
    {
        _stopping.Cancel(); // a restart under way gives up, and the supervisor knows this exit is wanted
        NpgsqlConnection.ClearAllPools();
        await _gate.WaitAsync();
        try
        {
            var postmaster = _postmaster.Process;
            if (!postmaster.HasExited)
            {
                kill(postmaster.Id, SIGINT);
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                try { await postmaster.WaitForExitAsync(wait.Token); }
                catch (OperationCanceledException)
                {
                    kill(postmaster.Id, SIGQUIT);
                    await postmaster.WaitForExitAsync();
                }
            }
            _lock.Dispose();
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    static string FindPgBin(string? configured)
    {
        if (configured is not null)
        {
            if (File.Exists(Path.Combine(configured, "postgres")) && File.Exists(Path.Combine(configured, "initdb")))
                return configured;
            throw new StartupException($"PostgreSQL is not installed in {configured} (no postgres/initdb there): {InstallHint}");
        }
        var preferred = "/usr/lib/postgresql/15/bin";
        if (File.Exists(Path.Combine(preferred, "postgres"))) return preferred;
        var any = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "postgres")))
                .OrderByDescending(d => d, StringComparer.Ordinal)
                .FirstOrDefault()
            : null;
        return any ?? throw new StartupException($"PostgreSQL 15 is not installed: {InstallHint}");
    }

    static void RequireExtensions(string binDir)
    {
        var shareDir = Run(Path.Combine(binDir, "pg_config"), "--sharedir").Trim();
        foreach (var extension in new[] { "postgis", "pgrouting" })
        {
            if (!File.Exists(Path.Combine(shareDir, "extension", extension + ".control")))
                throw new StartupException($"the PostgreSQL extension {extension} is not installed: {InstallHint}");
        }
    }

    static void PrepareWritableDirectory(string dataDir)
    {
        try
        {
            Directory.CreateDirectory(dataDir);
            var probe = Path.Combine(dataDir, ".write-test");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"data directory {dataDir} is not writable ({e.Message}): choose another with --data DIR or GEOTWIN_DATA");
        }
    }

    /// <summary>One GeoTwin per data directory; the OS drops the lock if GeoTwin dies.</summary>
    static FileStream TakeLock(string dataDir)
    {
        var path = Path.Combine(dataDir, "geotwin.lock");
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new StartupException($"data directory {dataDir} is in use by another running GeoTwin: stop it first or choose another with --data DIR");
        }
    }

    static string ResolveRunAsUser(string? configured)
    {
        var user = configured ?? "postgres";
        try
        {
            Run("id", "-u", user);
        }
        catch (StartupException)
        {
            throw new StartupException(
                $"GeoTwin runs as root but PostgreSQL refuses root, and the account '{user}' that should run it does not exist: " +
                "create it (sudo useradd --system postgres, or install postgresql-15, which does) or name another with GEOTWIN_PG_USER");
        }
        return user;
    }

    static async Task InitClusterAsync(string binDir, string dataDir, string pgData, string passwordFile, string? runAs, Action<string> log, CancellationToken ct)
    {
        log($"creating the private PostgreSQL cluster in {pgData}");
        if (Directory.Exists(pgData)) Directory.Delete(pgData, recursive: true); // a half-made cluster from an interrupted init
        Directory.CreateDirectory(pgData);
        File.SetUnixFileMode(pgData, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        await File.WriteAllTextAsync(passwordFile, password, ct);
        File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        // initdb reads the password from a file it can open as the PostgreSQL user; removed right after.
        var initPasswordFile = Path.Combine(dataDir, ".initdb-password");
        await File.WriteAllTextAsync(initPasswordFile, password, ct);
        File.SetUnixFileMode(initPasswordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        try
        {
            if (runAs is not null)
            {
                Run("chown", $"{runAs}:", pgData, initPasswordFile);
                try { Run(AsUser(runAs, "test", "-w", pgData)); }
                catch (StartupException)
                {
                    throw new StartupException(
                        $"the PostgreSQL account '{runAs}' cannot reach {pgData} (a parent folder is closed to other users): " +
                        "choose a data directory under an open path with --data DIR (e.g. /var/lib/geotwin), or run GeoTwin as a normal user");
                }
            }
            Run(AsUser(runAs, Path.Combine(binDir, "initdb"), "-D", pgData, "-U", SuperUser, $"--pwfile={initPasswordFile}",
                "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"));
        }
        catch
        {
            Directory.Delete(pgData, recursive: true);
            throw;
        }
        finally
        {
            File.Delete(initPasswordFile);
        }

        // PostgreSQL writes its own log files, so nothing depends on GeoTwin reading its output.
        await File.AppendAllTextAsync(Path.Combine(pgData, "postgresql.auto.conf"),
            "logging_collector = on\nlog_directory = 'log'\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\n", ct);
        if (runAs is not null) Run("chown", $"{runAs}:", Path.Combine(pgData, "postgresql.auto.conf"));
    }

    /// <summary>
    /// A copy of the primary taken with pg_basebackup over a replication connection (-X stream: the WAL written
    /// during the copy comes along), with -R writing standby.signal and primary_conninfo, so it starts as a hot
    /// standby that streams from the primary from then on. The primary's superuser password becomes this cluster's.
    /// </summary>
    static async Task BaseBackupAsync(string binDir, string primary, string pgData, string passwordFile, string? runAs, Action<string> log, CancellationToken ct)
    {
        var source = new NpgsqlConnectionStringBuilder(primary);
        log($"copying the primary {source.Host}:{source.Port} into {pgData} (pg_basebackup) to start a streaming replica");
        if (Directory.Exists(pgData)) Directory.Delete(pgData, recursive: true); // a half-made copy from an interrupted backup
        Directory.CreateDirectory(pgData);
        File.SetUnixFileMode(pgData, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await File.WriteAllTextAsync(passwordFile, source.Password ?? "", ct);
        File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (runAs is not null) Run("chown", $"{runAs}:", pgData);
        var conninfo = $"host={source.Host} port={source.Port} user={source.Username} application_name=geotwin_replica";
        var psi = AsUser(runAs, Path.Combine(binDir, "pg_basebackup"), "-D", pgData, "-d", conninfo, "-X", "stream", "-R", "-c", "fast", "-w");
        // In the environment, not on the command line (ps shows arguments); -R copies it into primary_conninfo.
        psi.Environment["PGPASSWORD"] = source.Password ?? "";
        try
        {
            await Task.Run(() => Run(psi), ct);
        }
        catch
        {
            Directory.Delete(pgData, recursive: true);
            throw;
        }
        // The copy carries the primary's auto.conf (loopback only, own log folder); a replica also sends feedback so
        // the primary does not vacuum away rows its long reads (a hot spot query) still need.
        await File.AppendAllTextAsync(Path.Combine(pgData, "postgresql.auto.conf"), "hot_standby = on\nhot_standby_feedback = on\n", ct);
        if (runAs is not null) Run("chown", "-R", $"{runAs}:", pgData);
    }

    /// <summary>A postmaster left by a GeoTwin that was killed: we hold the lock, so nobody else owns it.</summary>
    static async Task StopOrphanAsync(string pgData, Action<string> log)
    {
        var pidFile = Path.Combine(pgData, "postmaster.pid");
        if (!File.Exists(pidFile)) return;
        var firstLine = File.ReadLines(pidFile).FirstOrDefault();
        if (!int.TryParse(firstLine, out var pid)) return;
        if (!File.Exists($"/proc/{pid}/cmdline") || !File.ReadAllText($"/proc/{pid}/cmdline").Contains("postgres")) return;

        log($"stopping PostgreSQL pid {pid} left behind by an earlier GeoTwin");
        kill(pid, SIGINT);
        for (var i = 0; i < 300 && Directory.Exists($"/proc/{pid}"); i++) await Task.Delay(100);
        if (Directory.Exists($"/proc/{pid}")) kill(pid, SIGQUIT);
    }

    /// <summary>
    /// Started from a thread that lives as long as PostgreSQL does, because PR_SET_PDEATHSIG fires when the
    /// forking thread ends: so if GeoTwin is killed outright, the kernel still tells PostgreSQL to shut down.
    /// </summary>
    static Postmaster StartPostmaster(string binDir, string pgData, int port, string? runAs, StringBuilder earlyOutput)
    {
        var psi = AsUser(runAs, Path.Combine(binDir, "postgres"), "-D", pgData, "-p", port.ToString());
        psi.ArgumentList.Insert(psi.ArgumentList.IndexOf("--") , "--pdeathsig=INT");
        psi.RedirectStandardError = true;
        psi.RedirectStandardOutput = true;

        var exited = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        var owner = new Thread(() =>
        {
            var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
            process.Exited += (_, _) => exited.TrySetResult(DescribeExit(process.ExitCode));
            try { process.Start(); }
            catch (Exception e) { started.SetException(e); return; }
            process.ErrorDataReceived += (_, e) => Append(earlyOutput, e.Data);
            process.OutputDataReceived += (_, e) => Append(earlyOutput, e.Data);
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            started.SetResult(process);
            process.WaitForExit();
        }) { IsBackground = true, Name = "postgres-owner" };
        owner.Start();
        return new Postmaster(started.Task.GetAwaiter().GetResult(), exited.Task);

        static void Append(StringBuilder sb, string? line)
        {
            if (line is null) return;
            lock (sb) { if (sb.Length < 16_000) sb.AppendLine(line); }
        }
    }

    /// <summary>.NET reports a death by signal N as exit code 128 + N; PostgreSQL itself exits with 0 or 1.</summary>
    static string DescribeExit(int code) => code > 128 ? $"signal {code - 128}" : $"exit code {code}";

    /// <summary>
    /// Processes still working in the cluster's folder after their postmaster died (a backend finishing a
    /// query, the logger): told to quit at once, then killed. Found by their working directory, which
    /// PostgreSQL sets to the data folder, so no other PostgreSQL on the machine is touched.
    /// </summary>
    static async Task StopLeftoversAsync(string pgData, Action<string> log)
    {
        var left = ProcessesIn(pgData);
        if (left.Count == 0) return;
        log($"stopping {left.Count} PostgreSQL process(es) left by the postmaster that died: {string.Join(", ", left)}");
        foreach (var pid in left) kill(pid, SIGQUIT);
        for (var i = 0; i < 50 && ProcessesIn(pgData).Count > 0; i++) await Task.Delay(100);
        foreach (var pid in ProcessesIn(pgData)) kill(pid, SIGKILL);
        for (var i = 0; i < 50 && ProcessesIn(pgData).Count > 0; i++) await Task.Delay(100);
    }

    static List<int> ProcessesIn(string pgData)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId) continue;
            try
            {
                var status = File.ReadAllText(Path.Combine(dir, "status"));
                if (status.Contains("State:\tZ")) continue; // already dead, waiting to be reaped
                if (new FileInfo(Path.Combine(dir, "cwd")).LinkTarget == pgData) found.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // gone, or not ours to see
        }
        return found;
    }

    /// <summary>PostgreSQL refuses to start while the pid in postmaster.pid is alive, even when that pid now belongs to another program.</summary>
    static void RemoveStalePidFile(string pgData, Action<string> log)
    {
        var pidFile = Path.Combine(pgData, "postmaster.pid");
        if (!File.Exists(pidFile)) return;
        if (int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid) && ProcessesIn(pgData).Contains(pid)) return;
        log($"removing the stale {pidFile} (pid {pid} is not a PostgreSQL of this cluster)");
        File.Delete(pidFile);
    }

    static async Task WaitUntilAcceptingAsync(string adminConnectionString, Postmaster postmaster, StringBuilder output, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (postmaster.Process.HasExited)
            {
                await Task.Delay(200, ct); // let the last stderr lines arrive
                string text;
                lock (output) text = output.ToString().Trim();
                throw new StartupException($"the private PostgreSQL stopped during start-up: {LastLines(text, 4)}");
            }
            try
            {
                await using var conn = new NpgsqlConnection(adminConnectionString);
                await conn.OpenAsync(ct);
                return;
            }
            catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
            {
                if (DateTime.UtcNow > deadline)
                    throw new StartupException($"the private PostgreSQL did not accept connections within 60 s: {e.Message}");
                await Task.Delay(100, ct);
            }
        }
    }

    static async Task EnsureDatabaseAsync(string adminConnectionString, string database, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(adminConnectionString);
        await conn.OpenAsync(ct);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", conn) { Parameters = { new() { Value = database } } };
        if (await exists.ExecuteScalarAsync(ct) is not null) return;
        // Identifiers cannot be parameters; the name is quoted by PostgreSQL's own rules.
        await using var create = new NpgsqlCommand($"CREATE DATABASE {QuoteIdentifier(database)}", conn);
        await create.ExecuteNonQueryAsync(ct);
    }

    public static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";

    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static bool IsPortFree(int port, IPAddress? address = null)
    {
        try
        {
            using var listener = new TcpListener(address ?? IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>setpriv drops to the PostgreSQL account when GeoTwin is root; a no-op wrapper otherwise.</summary>
    static ProcessStartInfo AsUser(string? user, string program, params string[] args)
    {
        var psi = new ProcessStartInfo("setpriv") { UseShellExecute = false };
        if (user is not null)
        {
            psi.ArgumentList.Add($"--reuid={user}");
            psi.ArgumentList.Add($"--regid={Run("id", "-g", user).Trim()}");
            psi.ArgumentList.Add("--init-groups");
        }
        psi.ArgumentList.Add("--");
        psi.ArgumentList.Add(program);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.WorkingDirectory = "/";
        psi.Environment["LC_ALL"] = "C.UTF-8";
        return psi;
    }

    static string Run(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Run(psi);
    }

    static string Run(ProcessStartInfo psi)
    {
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        using var p = Process.Start(psi) ?? throw new StartupException($"could not run {psi.FileName}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            var command = string.Join(' ', psi.ArgumentList.Prepend(psi.FileName));
            throw new StartupException($"`{command}` failed: {LastLines(stderr.Result.Trim(), 3)}");
        }
        return stdout.Result;
    }

    static string LastLines(string text, int count) =>
        string.Join(" | ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(count).Select(l => l.Trim()));

    const int SIGINT = 2;
    const int SIGQUIT = 3;
    const int SIGKILL = 9;

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int sig);

    [DllImport("libc")]
    static extern uint geteuid();

    public static bool RunningAsRoot => geteuid() == 0;
}

/// <summary>Bad configuration or environment: one line that says what is wrong and what to do.</summary>
public sealed class StartupException(string message) : Exception(message);
