using System.Net;
using PhonicAspire.Benchmarks.Load;
using PhonicAspire.Benchmarks.Payloads;
using PhonicAspire.Benchmarks.Stack;
using PhonicAspire.Testing;

namespace PhonicAspire.Benchmarks.Ingest;

/// <summary>
/// The most signed deliveries per second the API acknowledges (verified and durably in Redis), against the same
/// generator hitting a bare endpoint that only reads the body. The deliveries are the same bytes on both sides:
/// one sample body, each with a fresh svix id and its own signature, all signed before the clock starts.
/// </summary>
public sealed class IngestBenchmark(PhonicStack stack, SamplePayload payload, BenchmarkSettings settings, TimeProvider timeProvider)
{
    public async Task<IngestResult> RunAsync(CancellationToken cancellationToken)
    {
        // The baseline never forwards what it receives, so the same svix ids are still fresh for the API, and it may
        // go round the pool as often as it is fast enough to.
        var deliveries = new DeliverySigner(stack.WebhookSecret, timeProvider).Sign(settings.IngestPoolSize, _ => payload.Bytes);

        ClosedLoopResult baseline;
        await using (var server = await BaselineServerProcess.StartAsync(cancellationToken))
        {
            baseline = await RunAgainstAsync(server.Address, deliveries, HttpStatusCode.OK, reuseDeliveries: true, cancellationToken);
        }

        var api = await RunAgainstAsync(stack.ApiAddress, deliveries, HttpStatusCode.Accepted, reuseDeliveries: false, cancellationToken);
        return new IngestResult(api, baseline, stack.ApiAddress);
    }

    private async Task<ClosedLoopResult> RunAgainstAsync(
        Uri target, SignedWebhook[] deliveries, HttpStatusCode expected, bool reuseDeliveries, CancellationToken cancellationToken)
    {
        using var client = LoadClient.Create(target, settings.IngestConnections);
        return await new ClosedLoopLoad(client, deliveries, settings.IngestConnections, timeProvider)
            .RunAsync(expected, settings.IngestWarmUp, settings.IngestDuration, reuseDeliveries, cancellationToken);
    }
}

public sealed record IngestResult(ClosedLoopResult Api, ClosedLoopResult Baseline, Uri ApiAddress);
