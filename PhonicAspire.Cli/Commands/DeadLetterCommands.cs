using System.CommandLine;
using System.Text;
using PhonicAspire.Webhooks;
using PhonicAspire.Worker.Draining;
using PhonicAspire.Worker.Resilience;

namespace PhonicAspire.Cli.Commands;

/// <summary>
/// <c>phonic dead-letters list|show|replay</c>: what is in <c>phonic:webhooks:dead</c> (or, with
/// <c>--forwarding</c>, <c>phonic:webhooks:forwarding:dead</c>) and why, and moving it back into the stream once the
/// cause is fixed, with the code behind the dashboard's "Replay dead letters".
/// </summary>
internal static class DeadLetterCommands
{
    // Every subcommand takes it: the forwarding dead letters are listed, shown and replayed like the storage's.
    private static readonly Option<bool> Forwarding = new("--forwarding")
    {
        Description = "The forwards a destination refused or did not take in time, rather than the entries the worker could not store.",
        Recursive = true,
    };

    public static Command Create(OperatorContext context) =>
        new("dead-letters", "Inspect and replay the entries the worker could not store or forward.")
        {
            Forwarding,
            List(context),
            Show(context),
            Replay(context),
        };

    private static string DeadLetterStream(ParseResult parsed) =>
        parsed.GetValue(Forwarding) ? WebhookStream.ForwardingDeadLetterName : WebhookStream.DeadLetterName;

    private static Command List(OperatorContext context)
    {
        var (svixId, reason) = FilterOptions();
        var command = new Command("list", "One line per dead letter: when, svix id, event type and reason (never the body).") { svixId, reason };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var stream = await context.StreamAsync();
            var count = 0;
            await foreach (var deadLetter in stream.ListDeadLettersAsync(new DeadLetterFilter(parsed.GetValue(svixId), parsed.GetValue(reason)), DeadLetterStream(parsed)).WithCancellation(cancellationToken))
            {
                await context.Output.WriteLineAsync(
                    $"{deadLetter.EntryId}  {deadLetter.DeadLetteredAt:yyyy-MM-ddTHH:mm:ssZ} ({Age(deadLetter.Age)} ago)  "
                    + $"{TerminalText.Escape(deadLetter.SvixId)}  {TerminalText.Escape(deadLetter.EventType)}  {TerminalText.Escape(deadLetter.Reason)}");
                count++;
            }

            await context.Output.WriteLineAsync($"{count} dead letter(s)");
            return PhonicCommandLine.Succeeded;
        });
        return command;
    }

    private static Command Show(OperatorContext context)
    {
        var svixId = BlankValues.Refuse(new Argument<string>("svix-id") { Description = "The svix id of the dead letter." });
        var body = new Option<bool>("--body") { Description = "Print the body too (it can hold personal data)." };
        var command = new Command("show", "Everything about one dead letter; its body only with --body.") { svixId, body };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var stream = await context.StreamAsync();
            var found = false;
            await foreach (var deadLetter in stream.ListDeadLettersAsync(new DeadLetterFilter(parsed.GetValue(svixId)), DeadLetterStream(parsed)).WithCancellation(cancellationToken))
            {
                found = true;
                await context.Output.WriteLineAsync(
                    $"entry: {deadLetter.EntryId}\nsvix id: {TerminalText.Escape(deadLetter.SvixId)}\nevent type: {TerminalText.Escape(deadLetter.EventType)}\n" +
                    $"reason: {TerminalText.Escape(deadLetter.Reason)}\ndestination: {TerminalText.Escape(deadLetter.Destination)}\n" +
                    $"original entry: {TerminalText.Escape(deadLetter.OriginalEntryId)}\n" +
                    $"dead-lettered: {deadLetter.DeadLetteredAt:O} ({Age(deadLetter.Age)} ago)\nbody: {deadLetter.Body?.Length ?? 0} bytes");
                if (parsed.GetValue(body) && deadLetter.Body is { } bytes)
                {
                    await context.Output.WriteLineAsync(Encoding.UTF8.GetString(bytes.Span));
                }
            }

            return found ? PhonicCommandLine.Succeeded : throw new OperatorException($"No dead letter has svix id '{parsed.GetValue(svixId)}'.");
        });
        return command;
    }

    private static Command Replay(OperatorContext context)
    {
        var (svixId, reason) = FilterOptions();
        var all = new Option<bool>("--all") { Description = "Replay every dead letter." };
        var command = new Command("replay", "Move dead letters back into the webhook stream: --all, one --svix-id, or those whose --reason contains a text.")
        {
            all, svixId, reason,
        };
        command.Validators.Add(result =>
        {
            // Whether --svix-id and --reason were given, not their values (see RequeueCommand's validator); --all by its
            // value, which always converts (a word after it that is no boolean is not taken for its value), so
            // `--all false` chooses nothing.
            var chosen = new[] { result.GetValue(all), result.GetResult(svixId) is not null, result.GetResult(reason) is not null }.Count(given => given);
            if (chosen != 1)
            {
                result.AddError("dead-letters replay needs exactly one of --all, --svix-id or --reason.");
            }
        });
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var stream = await context.StreamAsync();
            var filter = parsed.GetValue(all) ? DeadLetterFilter.All : new DeadLetterFilter(parsed.GetValue(svixId), parsed.GetValue(reason));
            DeadLetterReplay replay;
            try
            {
                replay = await stream.ReplayDeadLettersAsync(filter, DeadLetterStream(parsed), cancellationToken);
            }
            catch (DeadLetterReplayStoppedException stopped)
            {
                // Running it again is safe: each dead letter moves whole, and what moved is no longer a dead letter.
                throw new OperatorException(stopped.Describe() + (StorageOutage.IsUnreachable(stopped.InnerException!)
                    ? " Run the same replay again once Redis answers (ConnectionStrings:redis)."
                    : ""));
            }

            await context.Output.WriteLineAsync($"Replayed {replay.Replayed} dead letter(s) into the webhook stream." + (replay.KeptWithoutDestination > 0
                ? $" Kept {replay.KeptWithoutDestination} whose destination no worker forwards to (not in Forwarding:Destinations)."
                : ""));
            return PhonicCommandLine.Succeeded;
        });
        return command;
    }

    private static (Option<string> SvixId, Option<string> Reason) FilterOptions() =>
    (
        BlankValues.Refuse(new Option<string>("--svix-id") { Description = "Only the dead letter with this svix id." }),
        BlankValues.Refuse(new Option<string>("--reason") { Description = "Only dead letters whose reason contains this text, such as 'SQLSTATE 22021'." })
    );

    private static string Age(TimeSpan age) =>
        age.TotalDays >= 1 ? $"{age.TotalDays:0.#} d" : age.TotalHours >= 1 ? $"{age.TotalHours:0.#} h" : $"{Math.Max(0, age.TotalMinutes):0.#} min";
}
