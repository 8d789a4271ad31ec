using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using PhonicAspire.Testing;

namespace PhonicAspire.Benchmarks.Load;

/// <summary>
/// Sends deliveries on a fixed schedule with wrk (<see cref="WrkProcess"/>), whatever the target's answers: each
/// wrk thread sends its share at its share of the rate, as independent senders like Svix's would, and a target that
/// falls behind gets the backlog at once, up to one request in flight per connection. Every delivery is a different
/// conversation; the Lua script builds each body from a template and the delivery's conversation id, which is
/// checked here against the body that was signed.
/// </summary>
public sealed partial class PacedWrkLoad(int connections)
{
    private const string Script = "paced-deliveries.lua";
    private const string ConversationMarker = "{conversation-id}";

    // Room after the schedule for a target that fell behind to be sent and answer the rest; wrk runs this long whatever.
    private static readonly TimeSpan AnswerTail = TimeSpan.FromSeconds(10);

    /// <param name="bodyFor">The body of a conversation's delivery, as it was signed.</param>
    public async Task<OpenLoopResult> RunAsync(
        Uri target,
        IReadOnlyList<(SignedWebhook Delivery, string ConversationId)> deliveries,
        Func<string, byte[]> bodyFor,
        double perSecond,
        CancellationToken cancellationToken)
    {
        var template = bodyFor(ConversationMarker);
        var (prefix, suffix) = Split(template);
        foreach (var (delivery, conversationId) in deliveries)
        {
            var body = delivery.Body.AsSpan();
            var id = Encoding.UTF8.GetBytes(conversationId);
            if (body.Length != prefix.Length + id.Length + suffix.Length
                || !body.StartsWith(prefix) || !body.EndsWith(suffix) || !body[prefix.Length..^suffix.Length].SequenceEqual(id))
            {
                throw new ArgumentException(
                    $"Delivery {delivery.SvixId}'s body is not the template with its conversation id in place of the marker.", nameof(deliveries));
            }
        }

        using var files = new LoadFiles();
        var lines = new StringBuilder();
        foreach (var (delivery, conversationId) in deliveries)
        {
            lines.Append(CultureInfo.InvariantCulture, $"{delivery.SvixId} {delivery.Timestamp} {delivery.Signature} {conversationId}\n");
        }

        var schedule = TimeSpan.FromSeconds(deliveries.Count / perSecond);
        var summary = await WrkProcess.RunAsync(
            target,
            Script,
            connections,
            schedule + AnswerTail,
            [
                files.Write("deliveries.txt", Encoding.UTF8.GetBytes(lines.ToString())),
                files.Write("template.json", template),
                ConversationMarker,
                perSecond.ToString(CultureInfo.InvariantCulture),
                WrkProcess.Threads.ToString(CultureInfo.InvariantCulture),
            ],
            cancellationToken);
        var paced = PacedLine().Match(summary.Output) is { Success: true } match
            ? match
            : throw new InvalidOperationException($"The paced script reported nothing of its own:\n{summary.Output}");
        var sent = int.Parse(paced.Groups["sent"].Value, CultureInfo.InvariantCulture);
        var sending = TimeSpan.FromMilliseconds(double.Parse(paced.Groups["sending"].Value, CultureInfo.InvariantCulture));
        return new OpenLoopResult(
            deliveries.Count,
            sent / sending.TotalSeconds,
            summary.Answered,
            summary.Latency,
            sent - summary.Answered,
            deliveries.Count - sent,
            TimeSpan.FromMilliseconds(double.Parse(paced.Groups["lag"].Value, CultureInfo.InvariantCulture)));
    }

    private static (byte[] Prefix, byte[] Suffix) Split(byte[] template)
    {
        var marker = Encoding.UTF8.GetBytes(ConversationMarker);
        var at = template.AsSpan().IndexOf(marker);
        return at < 0 || template.AsSpan(at + marker.Length).IndexOf(marker) >= 0
            ? throw new ArgumentException("The body template must hold the conversation id exactly once.")
            : (template[..at], template[(at + marker.Length)..]);
    }

    [GeneratedRegex(@"^paced deliveries: (?<sent>\d+) sent over (?<sending>[\d.]+) ms, at most (?<lag>[\d.]+) ms behind schedule$", RegexOptions.Multiline)]
    private static partial Regex PacedLine();
}

/// <param name="Scheduled">Deliveries on the schedule.</param>
/// <param name="SentPerSecond">Deliveries sent over the time from the first send to the last: the rate actually offered.</param>
/// <param name="Acknowledged">Answered with a 2xx or 3xx.</param>
/// <param name="Latency">From each request's send to its answer.</param>
/// <param name="Unacknowledged">Deliveries sent but not answered with a 2xx or 3xx: other answers, socket errors, timeouts.</param>
/// <param name="NeverSent">
/// Deliveries still unsent when wrk's run ended (the schedule plus a tail for answers): a machine that cannot send at the
/// rate falls behind its schedule by more than the tail. Not refused: the API never saw them.
/// </param>
/// <param name="ScheduleLag">The most any delivery was sent after its due time; near zero while the target keeps up.</param>
public sealed record OpenLoopResult(
    int Scheduled, double SentPerSecond, long Acknowledged, LatencySummary Latency, long Unacknowledged, long NeverSent, TimeSpan ScheduleLag);
