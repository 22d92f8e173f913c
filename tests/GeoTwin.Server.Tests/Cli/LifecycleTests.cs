using System.Net;
using System.Net.Sockets;
using GeoTwin.Server.Infrastructure.Db;

namespace GeoTwin.Server.Tests.Cli;

/// <summary>The server as a process: it starts its database, and however it stops, PostgreSQL stops with it.</summary>
public sealed class LifecycleTests
{
    // Bounds, not timings: a demo start takes ~18 s on a quiet machine, but `./geotwin test` runs these tests at nice 19
    // beside the browser tests, and in CI a demo start there took longer than 90 s. A bound only has to catch a hang.
    static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);
    internal static readonly TimeSpan StopTimeout = TimeSpan.FromMinutes(3);

    [Theory]
    [InlineData(ServerProcess.SIGTERM)]
    [InlineData(ServerProcess.SIGINT)]
    public async Task A_stop_signal_stops_the_server_and_its_postgres_cleanly(int signal)
    {
        var dir = TempDirs.Make("signal");
        try
        {
            using var server = ServerProcess.Start(["serve", "--port", "0", "--data", dir]);
            var url = await server.WaitForOutputAsync(ServerProcess.RunningAt(), StartTimeout);
            var postgresPid = int.Parse(await server.WaitForOutputAsync(ServerProcess.PostgresPid(), StartTimeout));
            using var http = new HttpClient();
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(url + "/readyz")).StatusCode);

            server.Signal(signal);

            Assert.Equal(0, await server.WaitForExitAsync(StopTimeout));
            Assert.True(await ServerProcess.IsGoneWithinAsync(postgresPid, TimeSpan.FromSeconds(5)), "postgres outlived the server");
            Assert.False(File.Exists(Path.Combine(dir, "postgres", "postmaster.pid")), "postgres did not shut down cleanly");
        }
        finally
        {
            TempDirs.Remove(dir);
        }
    }

    [Fact]
    public async Task A_killed_server_takes_its_postgres_with_it_and_the_next_start_keeps_the_data()
    {
        var dir = TempDirs.Make("kill");
        try
        {
            int postgresPid;
            using (var server = ServerProcess.Start(["serve", "--port", "0", "--data", dir, "--demo"]))
            {
                await server.WaitForOutputAsync(ServerProcess.RunningAt(), StartTimeout);
                postgresPid = int.Parse(await server.WaitForOutputAsync(ServerProcess.PostgresPid(), StartTimeout));
                server.Signal(ServerProcess.SIGKILL);
                await server.WaitForExitAsync(TimeSpan.FromSeconds(10));
            }
            Assert.True(await ServerProcess.IsGoneWithinAsync(postgresPid, TimeSpan.FromMinutes(2)), "postgres outlived a killed server");

            using var again = ServerProcess.Start(["serve", "--port", "0", "--data", dir, "--demo"]);
            var url = await again.WaitForOutputAsync(ServerProcess.RunningAt(), StartTimeout);
            using var http = new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer() }) { BaseAddress = new Uri(url) };
            var login = await http.PostAsync("/api/auth/login", new StringContent("""{"username":"admin","password":"demo-admin"}""", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, login.StatusCode); // the documented demo account
            var info = await http.GetStringAsync("/api/info");
            Assert.Contains("Monaco City Bureau", info);
            Assert.DoesNotContain("loaded the demo jurisdiction", again.Output); // kept, not reloaded
            Assert.DoesNotContain("creating the private PostgreSQL cluster", again.Output);
            again.Signal(ServerProcess.SIGTERM);
            Assert.Equal(0, await again.WaitForExitAsync(StopTimeout));
        }
        finally
        {
            TempDirs.Remove(dir);
        }
    }

    [Fact]
    public async Task The_private_cluster_works_when_GeoTwin_runs_as_a_normal_user()
    {
        var dir = TempDirs.Make("nobody");
        var home = TempDirs.Make("nobody-home");
        try
        {
            string? user = null;
            if (PrivateCluster.RunningAsRoot)
            {
                user = "nobody";
                foreach (var d in new[] { dir, home }) System.Diagnostics.Process.Start("chown", ["nobody:nogroup", d]).WaitForExit();
            }
            using var run = ServerProcess.Start(["migrate", "--data", dir], asUser: user, home: home);

            var exit = await run.WaitForExitAsync(StartTimeout);

            Assert.True(exit == 0, run.Output);
            Assert.Contains("database ready", run.Output);
            var pgVersion = new FileInfo(Path.Combine(dir, "postgres", "PG_VERSION"));
            Assert.True(pgVersion.Exists);
            if (user is not null)
            {
                var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%U", pgVersion.FullName]) { RedirectStandardOutput = true })!;
                Assert.Equal("nobody", stat.StandardOutput.ReadToEnd().Trim());
            }
        }
        finally
        {
            TempDirs.Remove(dir);
            TempDirs.Remove(home);
        }
    }
}

/// <summary>Bad configuration: one clear line and a non-zero exit, before anything is half-started.</summary>
public sealed class BadConfigurationTests
{
    [Fact]
    public async Task A_taken_HTTP_port_is_named_with_what_to_do()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var e = await Assert.ThrowsAsync<StartupException>(() => Program.BuildAsync([], new Dictionary<string, string?>
        {
            ["GeoTwin:Port"] = port.ToString(),
            ["ConnectionStrings:GeoTwin"] = "Host=127.0.0.1;Port=1;Username=x;Password=y;Database=z",
        }));

        Assert.Equal($"port {port} on 127.0.0.1 is in use: stop what uses it or choose another with --port N (or GEOTWIN_PORT)", e.Message);
    }

    [Fact]
    public async Task An_unreachable_database_is_named_with_what_to_do()
    {
        var closedPort = PrivateCluster.FreeLoopbackPort();

        var e = await Assert.ThrowsAsync<StartupException>(() => Program.BuildAsync([], new Dictionary<string, string?>
        {
            ["GeoTwin:Port"] = "0",
            ["ConnectionStrings:GeoTwin"] = $"Host=127.0.0.1;Port={closedPort};Username=x;Password=y;Database=z;Timeout=3",
        }));

        Assert.StartsWith($"cannot reach the database at 127.0.0.1:{closedPort}/z", e.Message);
        Assert.Contains("GEOTWIN_DB", e.Message);
    }

    [Theory]
    [InlineData(new[] { "serve", "--bogus" }, 64)]
    [InlineData(new[] { "serve", "--port" }, 64)]
    [InlineData(new[] { "launch" }, 64)]
    [InlineData(new[] { "serve", "--port", "http" }, 2)]
    [InlineData(new[] { "serve", "--bind", "everywhere" }, 2)]
    [InlineData(new[] { "serve", "--demo", "--bind", "0.0.0.0" }, 2)]
    [InlineData(new[] { "help" }, 0)]
    public async Task The_command_line_refuses_what_it_does_not_know(string[] args, int expectedExit)
    {
        using var run = ServerProcess.Start(args);

        var exit = await run.WaitForExitAsync(LifecycleTests.StopTimeout);

        Assert.Equal(expectedExit, exit);
        if (expectedExit != 0) Assert.Contains("geotwin: error:", run.Output);
        else Assert.Contains("usage: geotwin", run.Output);
    }
}
