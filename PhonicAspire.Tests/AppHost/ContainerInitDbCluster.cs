using System.Diagnostics;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Tests.Infrastructure.Managed;

namespace PhonicAspire.Tests.AppHost;

/// <summary>
/// The cluster the postgres image creates in an empty volume, made by the machine's own <c>initdb</c> as the image's
/// entrypoint runs it: as the <c>postgres</c> user, with <c>POSTGRES_INITDB_ARGS</c> added word by word, under the
/// image's <c>LANG</c>. The cluster is then asked in single-user mode what it became, so a test reads what
/// <c>initdb</c> really did, not what the model lists.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed partial class ContainerInitDbCluster : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    // The image's entrypoint (docker-entrypoint.sh, docker_init_database_dir), with PGDATA naming the folder.
    private const string ImageInitDb =
        """eval 'initdb --username="$POSTGRES_USER" --pwfile=<(printf "%s\n" "$POSTGRES_PASSWORD") '"$POSTGRES_INITDB_ARGS"' "$@"'""";

    // The official image sets LANG=en_US.utf8, which this machine has not generated; C.UTF-8 stands in for it as what
    // initdb would pick up without arguments: a C library locale other than C.
    private const string ImageLanguage = "C.UTF-8";

    private readonly string _directory;

    private ContainerInitDbCluster(string directory) => _directory = directory;

    private string DataDirectory => Path.Combine(_directory, "data");

    /// <summary>The client authentication rules initdb wrote, without comments and blank lines.</summary>
    private IReadOnlyList<string> HostBasedAuthentication =>
        File.ReadAllLines(Path.Combine(DataDirectory, "pg_hba.conf"))
            .Where(line => line.Trim() is { Length: > 0 } rule && !rule.StartsWith('#'))
            .ToArray();

    /// <summary>
    /// What every deployment's PostgreSQL must be created with: UTF-8 and the C locale, and passwords (SCRAM) for every
    /// connection, never trust.
    /// </summary>
    /// <param name="environment">The container's environment, as the model or the manifest gives it.</param>
    public static async Task AssertCreatesUtf8ClusterWithCLocaleAndPasswordsAsync(IReadOnlyDictionary<string, string> environment)
    {
        using var cluster = await CreateAsync(environment);
        var database = await cluster.QuerySingleRowAsync("postgres",
            "SELECT pg_encoding_to_char(encoding) AS encoding, datcollate, datctype FROM pg_database WHERE datname = 'postgres'");
        Assert.Equal(new Dictionary<string, string> { ["encoding"] = "UTF8", ["datcollate"] = "C", ["datctype"] = "C" }, database);
        Assert.All(cluster.HostBasedAuthentication, rule => Assert.EndsWith(" scram-sha-256", rule, StringComparison.Ordinal));
    }

    private static async Task<ContainerInitDbCluster> CreateAsync(IReadOnlyDictionary<string, string> environment)
    {
        var cluster = new ContainerInitDbCluster(Directory.CreateTempSubdirectory("phonic-container-initdb-").FullName);
        try
        {
            if (PostgresPrograms.RunningAsRoot)
            {
                await ServerProcess.RunAsync("chown", [$"{PostgresPrograms.ServiceUser}:{PostgresPrograms.ServiceUser}", cluster._directory], CommandTimeout);
            }

            await cluster.RunAsServiceUserAsync("bash", ["-c", ImageInitDb], new Dictionary<string, string>
            {
                ["PGDATA"] = cluster.DataDirectory,
                ["LANG"] = ImageLanguage,
                ["POSTGRES_USER"] = environment.GetValueOrDefault("POSTGRES_USER", "postgres"),
                ["POSTGRES_PASSWORD"] = RandomNumberGenerator.GetHexString(24),
                ["POSTGRES_INITDB_ARGS"] = environment.GetValueOrDefault("POSTGRES_INITDB_ARGS", string.Empty),
            });
            return cluster;
        }
        catch
        {
            try
            {
                cluster.Dispose();
            }
            catch (IOException)
            {
                // What initdb left behind stays in the temporary folder; the failure that matters is initdb's.
            }

            throw;
        }
    }

    /// <summary>One row of a query, as column name and text, run by a single-user server on the cluster.</summary>
    private async Task<IReadOnlyDictionary<string, string>> QuerySingleRowAsync(string database, string query)
    {
        var output = await RunAsServiceUserAsync(
            Path.Combine(PostgresPrograms.BinDirectory, "postgres"), ["--single", "-D", DataDirectory, database], new Dictionary<string, string>(), query + ";\n");
        return SingleUserColumn().Matches(output).ToDictionary(column => column.Groups["name"].Value, column => column.Groups["value"].Value);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    // The cluster's folder is where its commands run: the postgres user may not enter the test's own.
    private Task<string> RunAsServiceUserAsync(string fileName, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, string input = "")
    {
        var withPrograms = new Dictionary<string, string>(environment)
        {
            ["PATH"] = $"{PostgresPrograms.BinDirectory}:{Environment.GetEnvironmentVariable("PATH")}",
        };
        var (command, commandArguments) = PostgresPrograms.AsServiceUser(fileName, [.. arguments]);
        return RunAsync(command, commandArguments, withPrograms, input, _directory);
    }

    private static async Task<string> RunAsync(
        string fileName, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, string input, string workingDirectory)
    {
        var start = new ProcessStartInfo(fileName, arguments) { WorkingDirectory = workingDirectory };

        // The container has only the image's LANG: the runner's own locale variables, which initdb reads first, must
        // not decide what the cluster becomes.
        foreach (var inherited in start.Environment.Keys.Where(name => name.StartsWith("LC_", StringComparison.Ordinal) || name == "LANGUAGE").ToArray())
        {
            start.Environment.Remove(inherited);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var (exitCode, output, error) = await CommandRun.RunAsync(start, CommandTimeout, input);
        return exitCode == 0
            ? output
            : throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} failed with exit code {exitCode}:\n{output}\n{error}");
    }

    // A row as single-user mode prints it: `	 1: datcollate = "C"	(typeid = 19, len = 64, typmod = -1, byval = f)`.
    [GeneratedRegex("""^\s*\d+: (?<name>\w+) = "(?<value>[^"]*)"\s""", RegexOptions.Multiline)]
    private static partial Regex SingleUserColumn();
}
