using System.Diagnostics;
using System.Globalization;
using PhonicAspire.Benchmarks.Payloads;
using PhonicAspire.Testing;
using PhonicAspire.Webhooks;
using StackExchange.Redis;

namespace PhonicAspire.Benchmarks.Peers;

/// <summary>
/// The Redis ceilings of the API's append: how many appends per second a Redis with the stack's durability takes
/// from redis-benchmark with as many clients as the ingest has connections, each append the entry the API writes
/// for the sample body. Once through the API's own <see cref="EnqueueScript"/> (EVALSHA, as StackExchange.Redis
/// sends it once the script is known), one delivery per call, once as a plain XADD of the same fields: with no
/// HTTP and no verification, and no batching of appends, the most the API could acknowledge.
/// </summary>
public sealed class RedisCeilingBenchmark(SamplePayload payload, BenchmarkSettings settings, TimeProvider timeProvider)
{
    // The API's default Webhook:AcceptedIdRetention (3 days).
    private const string AcceptedIdRetentionSeconds = "259200";

    // With -r, redis-benchmark puts 12 random digits in place of each of these on every request: the svix ids are
    // fresh, so the duplicate check finds nothing, as in the API's ingest.
    private const string RandomSvixId = "msg___rand_int__";
    private const string KeySpace = "1000000000";

    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(2);

    public async Task<RedisCeilings> RunAsync(CancellationToken cancellationToken)
    {
        // The script takes the entry's fields after their count; the plain XADD takes the same fields alone.
        var countedFields = DeliveryEntry.ToCountedArguments(SampleDelivery()).Select(value => (string)value!).ToArray();
        var fields = countedFields[1..];
        var script = await MeasureAsync(
            async redis =>
            {
                var sha = await redis.GetServers()[0].ScriptLoadAsync(EnqueueScript.Text);
                return ["EVALSHA", Convert.ToHexStringLower(sha), "2", WebhookStream.Name, WebhookStream.AcceptedKeyPrefix + RandomSvixId,
                    AcceptedIdRetentionSeconds, .. countedFields];
            },
            cancellationToken);
        var xadd = await MeasureAsync(_ => Task.FromResult<string[]>(["XADD", WebhookStream.Name, "*", .. fields]), cancellationToken);
        return new RedisCeilings(script, xadd, settings.RedisCeilingRequests);
    }

    /// <summary>The entry as the API writes it for the sample, traced (a traceparent) and with a fresh svix id.</summary>
    private QueuedDelivery SampleDelivery() => new(
        RandomSvixId,
        PhonicEventTypes.ConversationEnded,
        SamplePayloads.SampleConversationId,
        timeProvider.GetUtcNow(),
        payload.Bytes,
        TraceParent: $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-01");

    private async Task<double> MeasureAsync(Func<ConnectionMultiplexer, Task<string[]>> command, CancellationToken cancellationToken)
    {
        // A fresh server for each: the second ceiling must not start behind the first one's AOF.
        await using var redis = await PeerRedisServer.StartAsync(cancellationToken);
        string[] arguments;
        await using (var connection = await redis.ConnectAsync())
        {
            arguments = await command(connection);
        }

        var start = new ProcessStartInfo("redis-benchmark")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            ArgumentList =
            {
                "-h", "127.0.0.1",
                "-p", redis.Port.ToString(CultureInfo.InvariantCulture),
                "-c", settings.IngestConnections.ToString(CultureInfo.InvariantCulture),
                "-n", settings.RedisCeilingRequests.ToString(CultureInfo.InvariantCulture),
                "-r", KeySpace,
                "--csv",
            },
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("redis-benchmark did not start.");
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(RunLimit);
        string output, errors;
        try
        {
            var reading = process.StandardOutput.ReadToEndAsync(limit.Token);
            errors = await process.StandardError.ReadToEndAsync(limit.Token);
            output = await reading;
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw;
        }

        // redis-benchmark counts an error reply as a request done: only the entries in the stream show the appends
        // happened (a few fewer for the script, where two random ids happened to be the same).
        var appended = await redis.StreamLengthAsync(WebhookStream.Name);
        if (process.ExitCode != 0 || appended < settings.RedisCeilingRequests * 0.99)
        {
            throw new InvalidOperationException(
                $"redis-benchmark {arguments[0]} appended {appended:N0} of {settings.RedisCeilingRequests:N0} (exit code {process.ExitCode}): {errors}");
        }

        return RequestsPerSecond(output);
    }

    /// <summary>
    /// The rps column of <c>--csv</c>'s last line, counted from the end: the first column is the whole command,
    /// body and its commas and quotes included.
    /// </summary>
    private static double RequestsPerSecond(string csv)
    {
        var columns = csv.TrimEnd().Split('\n')[^1].Split(',');
        return double.Parse(columns[^7].Trim('"'), CultureInfo.InvariantCulture);
    }
}

/// <param name="Requests">How many appends each ceiling measured.</param>
public sealed record RedisCeilings(double ScriptPerSecond, double XaddPerSecond, int Requests);
