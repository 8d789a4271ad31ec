using System.Diagnostics;
using StackExchange.Redis;

namespace PhonicAspire.Tests.AppHost;

/// <summary>
/// Runs a Redis container's entrypoint and arguments as the container would run them, against the machine's own
/// <c>redis-server</c>: a stand-in named <c>redis-server</c> first on PATH passes on every argument it receives and
/// only adds where to listen and keep data, which inside a container are the image's defaults. What the test then
/// reads with <c>CONFIG GET</c> is what the server really received, not what the model lists.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ContainerCommandRedis : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private readonly string _directory;
    private readonly Process _process;
    private readonly ConnectionMultiplexer _connection;

    private ContainerCommandRedis(string directory, Process process, ConnectionMultiplexer connection)
    {
        _directory = directory;
        _process = process;
        _connection = connection;
    }

    /// <summary>The arguments the server received, one per element, as the stand-in recorded them.</summary>
    public IReadOnlyList<string> ReceivedArguments => File.ReadAllLines(Path.Combine(_directory, "received-arguments"));

    public static async Task<ContainerCommandRedis> StartAsync(string entrypoint, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var realServer = ExecutableOnPath("redis-server");
        var directory = Directory.CreateTempSubdirectory("phonic-container-redis-").FullName;
        var bin = Directory.CreateDirectory(Path.Combine(directory, "bin")).FullName;
        var port = LoopbackPorts.Free();

        var shim = Path.Combine(bin, "redis-server");
        await File.WriteAllTextAsync(shim,
            $"""
            #!/bin/sh
            printf '%s\n' "$@" > '{directory}/received-arguments'
            exec '{realServer}' "$@" --port {port} --bind 127.0.0.1 --dir '{directory}' --daemonize no
            """);
        File.SetUnixFileMode(shim, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var start = new ProcessStartInfo(entrypoint, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
            Environment = { ["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}" },
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();

        var options = new ConfigurationOptions
        {
            EndPoints = { { "127.0.0.1", port } },
            Password = environment.GetValueOrDefault("REDIS_PASSWORD"),
            AllowAdmin = true,
            AbortOnConnectFail = false,
            ConnectTimeout = 1000,
        };
        var connection = await ConnectionMultiplexer.ConnectAsync(options);
        var deadline = Stopwatch.StartNew();
        while (!connection.IsConnected)
        {
            if (process.HasExited || deadline.Elapsed > StartTimeout)
            {
                connection.Dispose();
                process.Kill();
                process.Dispose();
                Directory.Delete(directory, recursive: true);
                throw new InvalidOperationException($"The container's command did not start a Redis answering on port {port} within {StartTimeout}.");
            }

            await Task.Delay(100);
        }

        return new ContainerCommandRedis(directory, process, connection);
    }

    public IConnectionMultiplexer Connection => _connection;

    public async Task<string?> ConfigGetAsync(string setting)
    {
        var server = _connection.GetServers().Single();
        var values = await server.ConfigGetAsync(setting);
        return values.SingleOrDefault(pair => pair.Key == setting).Value;
    }

    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static string ExecutableOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"{name} is not on PATH; scripts/test installs it.");
}
