using System.Diagnostics;
using System.Globalization;

namespace PhonicAspire.AppHost.Infrastructure.Local;

/// <summary>
/// One PostgreSQL data folder and the commands that create and serve it. PostgreSQL refuses to run as root, so
/// under root (as in CI) both run as the <c>postgres</c> user through <c>setpriv</c>, which replaces itself with
/// the server: the AppHost then stops the server itself, not a wrapper that could leave it behind.
/// </summary>
internal sealed class LocalPostgresCluster(LocalServerBinaries binaries, string dataDirectory)
{
    private const string ServiceUser = "postgres";
    private static readonly TimeSpan InitDbTimeout = TimeSpan.FromMinutes(2);

    public static bool RunningAsRoot => Environment.UserName == "root";

    /// <summary>The data folder of the server named <paramref name="name"/> under the stack's data directory.</summary>
    public static string Folder(string dataDirectory, string name) => Path.Combine(dataDirectory, name);

    public (string FileName, string[] Arguments) ServerCommand(int port) => AsServiceUser(
        binaries.Postgres,
        [
            "-D", dataDirectory,
            "-p", port.ToString(CultureInfo.InvariantCulture),
            "-c", "listen_addresses=localhost",
            // No Unix socket: its default folder belongs to the distribution's own cluster and may not exist.
            "-c", "unix_socket_directories=",
            .. PostgresServerSettings.Arguments,
        ]);

    public async Task InitializeAsync(ParameterResource password, CancellationToken cancellationToken)
    {
        if (File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            return;
        }

        Directory.CreateDirectory(dataDirectory);
        var passwordFile = Path.Combine(Path.GetDirectoryName(dataDirectory)!, ".initdb-password");
        LocalSecretFile.Write(passwordFile, (await password.GetValueAsync(cancellationToken).ConfigureAwait(false))!);

        try
        {
            if (RunningAsRoot)
            {
                await RunAsync("chown", [$"{ServiceUser}:{ServiceUser}", dataDirectory, passwordFile], cancellationToken).ConfigureAwait(false);
            }

            var (fileName, arguments) = AsServiceUser(
                binaries.InitDb,
                [
                    "-D", dataDirectory,
                    "-U", LocalPostgresResource.UserName,
                    "--pwfile", passwordFile,
                    "--auth", "scram-sha-256",
                    .. PostgresClusterSettings.InitDbArguments,
                ]);
            await RunAsync(fileName, arguments, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // A half-made cluster would be mistaken for a finished one on the next start.
            Directory.Delete(dataDirectory, recursive: true);
            throw;
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    private static (string FileName, string[] Arguments) AsServiceUser(string fileName, params string[] arguments) =>
        RunningAsRoot
            ? ("setpriv", [$"--reuid={ServiceUser}", $"--regid={ServiceUser}", "--init-groups", "--", fileName, .. arguments])
            : (fileName, arguments);

    private static async Task RunAsync(string fileName, string[] arguments, CancellationToken cancellationToken)
    {
        using var process = Process.Start(new ProcessStartInfo(fileName, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException($"Could not start {fileName}.");

        var standardError = process.StandardError.ReadToEndAsync(cancellationToken);
        _ = process.StandardOutput.ReadToEndAsync(cancellationToken);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(InitDbTimeout);
        await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);

        if (process.ExitCode != 0)
        {
            throw new DistributedApplicationException(
                $"{Path.GetFileName(fileName)} failed with exit code {process.ExitCode}: {(await standardError.ConfigureAwait(false)).Trim()}" +
                (RunningAsRoot ? $" (as root, PostgreSQL runs as '{ServiceUser}', who must be able to enter every folder above its data; point PHONIC_DATA_DIR elsewhere if not)" : string.Empty));
        }
    }
}
