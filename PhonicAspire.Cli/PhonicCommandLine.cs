using System.CommandLine;
using Microsoft.Extensions.Configuration;
using PhonicAspire.Cli.Commands;

namespace PhonicAspire.Cli;

/// <summary>
/// <c>phonic</c>: what an operator does without the dashboard, in any environment, with the services' own
/// configuration (<c>ConnectionStrings__redis</c>, <c>ConnectionStrings__phonicdb</c>, <c>Phonic__WebhookSecrets</c>)
/// and the same code as the dashboard's buttons.
/// </summary>
public static class PhonicCommandLine
{
    public const int Succeeded = 0;
    public const int Failed = 1;
    public const int BadArguments = 2;

    /// <summary>128 + SIGINT, as shells report a command stopped by Ctrl+C.</summary>
    public const int Interrupted = 130;

    private const string InterruptedMessage =
        "phonic: interrupted before the command finished; what it had done stays done (each dead letter and each requeued event moves whole)";

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error) =>
        RunAsync(args, output, error, Path.Combine(AppContext.BaseDirectory, "appsettings.json"));

    /// <param name="settingsFile">The settings file, beside the command's own files but in tests.</param>
    internal static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, string settingsFile)
    {
        IConfiguration configuration;
        try
        {
            configuration = new ConfigurationBuilder().AddJsonFile(settingsFile, optional: true).AddEnvironmentVariables().Build();
        }
        catch (Exception unreadable) when (unreadable is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            // The innermost says where: the JSON reader's line and position, or the file system's refusal.
            await error.WriteLineAsync($"phonic: cannot read the settings in {settingsFile} ({OneLine(unreadable.GetBaseException().Message)})");
            return Failed;
        }

        var context = new OperatorContext(configuration, output);

        var root = new RootCommand("Operate a PhonicAspire deployment: send signed test events, inspect and replay dead letters, requeue stored events.")
        {
            SendCommand.Create(context),
            DeadLetterCommands.Create(context),
            RequeueCommand.Create(context),
        };

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            await error.WriteLineAsync($"phonic: {OneLine(parsed.Errors[0].Message)} (phonic --help shows the commands)");
            return BadArguments;
        }

        try
        {
            // Failures are reported below in one line each, not as the library's stack trace. On Ctrl+C the library
            // cancels the command's token, and answers Interrupted itself if the command has not ended within its
            // grace (a Redis call in flight does not take a token).
            var exitCode = await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
            if (exitCode == Interrupted)
            {
                await error.WriteLineAsync(InterruptedMessage);
            }

            return exitCode;
        }
        catch (OperatorException problem)
        {
            await error.WriteLineAsync($"phonic: {problem.Message}");
            return problem.ExitCode;
        }
        catch (Exception failure) when (failure is Npgsql.NpgsqlException or StackExchange.Redis.RedisException or StackExchange.Redis.RedisTimeoutException)
        {
            // The type and SQLSTATE only: PostgreSQL's messages can quote stored values.
            var (server, setting) = failure is Npgsql.NpgsqlException ? ("PostgreSQL", "phonicdb") : ("Redis", "redis");
            var described = PhonicAspire.Worker.Resilience.StorageOutage.Describe(failure);
            await error.WriteLineAsync(PhonicAspire.Worker.Resilience.StorageOutage.IsUnreachable(failure)
                ? $"phonic: {server} is not reachable with ConnectionStrings:{setting} ({described})."
                : $"phonic: {described} from {server}.");
            return Failed;
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync(InterruptedMessage);
            return Interrupted;
        }
        catch (Exception unexpected)
        {
            await error.WriteLineAsync($"phonic: failed unexpectedly ({unexpected.GetType().Name}: {unexpected.Message})");
            return Failed;
        }
        finally
        {
            await context.DisposeAsync();
        }
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(part => part.Trim()));
}

/// <summary>A failure to report in one line, with its exit code.</summary>
public sealed class OperatorException(string message, int exitCode = PhonicCommandLine.Failed) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
