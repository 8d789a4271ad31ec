using System.CommandLine;
using System.Globalization;
using PhonicAspire.Worker.Draining;
using PhonicAspire.Worker.Persistence;
using PhonicAspire.Worker.Resilience;

namespace PhonicAspire.Cli.Commands;

/// <summary>
/// <c>phonic requeue --svix-id ID… | --from TIME --to TIME</c>: stored events go back into the stream, marked to be
/// stored anew over their rows, so a fixed parser or merge applies to them.
/// </summary>
internal static class RequeueCommand
{
    // ISO 8601 only, a date or a date and time, with an offset or Z or neither: a general parse would read 01/02/2026
    // as 2 January, and a mistyped date would requeue another window.
    private static readonly string[] IsoTimes = ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];

    public static Command Create(OperatorContext context)
    {
        var svixIds = BlankValues.Refuse(new Option<string[]>("--svix-id") { Description = "A stored event to requeue; give it once per event.", AllowMultipleArgumentsPerToken = true });
        var from = TimeOption("--from", "Requeue events received at or after this time (ISO 8601, such as 2026-11-30T00:00:00Z; without an offset, the machine's local time).");
        var to = TimeOption("--to", "…and before this time.");
        var command = new Command("requeue", "Queue stored events again so they are processed again after a fix: by --svix-id, or received between --from and --to.")
        {
            svixIds, from, to,
        };
        // Which options were given, not their values: a command's validators run before its options' values are
        // converted, and reading a value that does not convert (a time with a typo, an option without its value) throws.
        command.Validators.Add(result =>
        {
            var byId = result.GetResult(svixIds) is not null;
            var byTime = result.GetResult(from) is not null || result.GetResult(to) is not null;
            if (byId == byTime)
            {
                result.AddError("requeue needs either --svix-id or both --from and --to.");
            }
            else if (byTime && (result.GetResult(from) is null || result.GetResult(to) is null))
            {
                result.AddError("requeue needs both --from and --to, with --to after --from.");
            }
        });
        command.SetAction(async (parsed, cancellationToken) =>
        {
            if (parsed.GetValue(from) is { } start && parsed.GetValue(to) is { } end && end <= start)
            {
                throw new OperatorException("requeue needs --to after --from.", PhonicCommandLine.BadArguments);
            }

            var stream = await context.StreamAsync();
            var webhooks = parsed.GetValue(svixIds) is { Length: > 0 } ids
                ? StoredWebhookReader.BySvixIdAsync(context.Database, ids, cancellationToken)
                : StoredWebhookReader.ReceivedBetweenAsync(context.Database, parsed.GetValue(from)!.Value, parsed.GetValue(to)!.Value, cancellationToken);
            try
            {
                var requeued = await stream.RequeueAsync(webhooks, cancellationToken);
                await context.Output.WriteLineAsync($"Requeued {requeued} stored event(s); the worker stores each anew over its row.");
                return PhonicCommandLine.Succeeded;
            }
            catch (RequeueStoppedException stopped)
            {
                // Running it again is safe: an event requeued twice is stored anew twice, over the same row.
                var cause = stopped.InnerException!;
                throw new OperatorException(StorageOutage.IsPostgres(cause)
                    ? $"Requeued {stopped.Requeued} stored event(s), then PostgreSQL {(StorageOutage.IsUnreachable(cause) ? "was not reachable with ConnectionStrings:phonicdb" : "failed")} "
                        + $"({StorageOutage.Describe(cause)}) reading the rest; run the same requeue again once it answers."
                    : $"Requeued {stopped.Requeued} stored event(s), then {StorageOutage.Describe(cause)} from Redis; run the same requeue again once Redis takes writes again.");
            }
        });
        return command;
    }

    // The library's own refusal names the .NET type; this one names the form it wants.
    private static Option<DateTimeOffset?> TimeOption(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            var text = result.Tokens is [var token] ? token.Value : "";
            if (DateTimeOffset.TryParseExact(text, IsoTimes, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var time))
            {
                return time;
            }

            // Also what a time at the ends of the calendar gets once its offset would take it past them.
            result.AddError($"{name} needs a time in ISO 8601 between the years 1 and 9999 in UTC, such as 2026-11-30T00:00:00Z; '{text}' is not one.");
            return null;
        },
    };
}
