using PhonicAspire.Benchmarks.Load;
using PhonicAspire.Benchmarks.Payloads;
using PhonicAspire.Benchmarks.Peers;
using PhonicAspire.Benchmarks.Stack;
using PhonicAspire.Testing;

namespace PhonicAspire.Benchmarks.Ingest;

/// <summary>
/// The most signed deliveries per second the API acknowledges (verified and durably in Redis), against the same
/// generator hitting a bare endpoint that only reads the body and the peers a user could run instead: the handler
/// on Phonic's documentation page, alone and with a durable XADD; then the Redis ceilings of the API's own append.
/// The deliveries are the same bytes for every server: one sample body, each with a fresh svix id and its own
/// signature, all signed before the clock starts.
/// </summary>
public sealed class IngestBenchmark(PhonicStack stack, SamplePayload payload, BenchmarkSettings settings, TimeProvider timeProvider)
{
    public async Task<IngestResult> RunAsync(CancellationToken cancellationToken)
    {
        // The baseline and the peers keep nothing the API sees (the durable peer has a Redis of its own), so the
        // same svix ids are still fresh for the API, and they may go round the pool as often as they are fast enough to.
        var deliveries = new DeliverySigner(stack.WebhookSecret, timeProvider).Sign(settings.IngestPoolSize, _ => payload.Bytes);

        ClosedLoopResult baseline;
        await using (var server = await BaselineServerProcess.StartAsync(cancellationToken))
        {
            baseline = await RunAgainstAsync(server.Address, server.ProcessId, deliveries, reuseDeliveries: true, cancellationToken);
        }

        var spansBefore = stack.Telemetry.Spans;
        var api = await RunAgainstAsync(stack.ApiAddress, stack.Processes.ServiceOf(PhonicStack.Api, PhonicStack.ApiAssembly), deliveries, reuseDeliveries: false, cancellationToken);
        // The batch exporter sends within a second or so of a span's end.
        await Task.Delay(TimeSpan.FromSeconds(3), timeProvider, cancellationToken);
        var apiSpans = stack.Telemetry.Spans - spansBefore;

        ClosedLoopResult docsHandler;
        await using (var peer = await DocsHandlerPeer.StartAsync(stack.WebhookSecret, durableTo: null, cancellationToken))
        {
            docsHandler = await RunAgainstAsync(peer.Address, peer.ProcessId, deliveries, reuseDeliveries: true, cancellationToken);
        }

        DurablePeerResult durableDocsHandler;
        await using (var redis = await PeerRedisServer.StartAsync(cancellationToken))
        {
            await using (var peer = await DocsHandlerPeer.StartAsync(stack.WebhookSecret, redis, cancellationToken))
            {
                var load = await RunAgainstAsync(peer.Address, peer.ProcessId, deliveries, reuseDeliveries: true, cancellationToken);
                durableDocsHandler = new DurablePeerResult(load, await redis.StreamLengthAsync(DocsHandlerPeer.Stream));
            }
        }

        var ceilings = await new RedisCeilingBenchmark(payload, settings, timeProvider).RunAsync(cancellationToken);
        return new IngestResult(api, apiSpans, baseline, docsHandler, durableDocsHandler, ceilings, stack.ApiAddress);
    }

    private Task<ClosedLoopResult> RunAgainstAsync(
        Uri target, int serverProcessId, SignedWebhook[] deliveries, bool reuseDeliveries, CancellationToken cancellationToken) =>
        new WrkLoad(settings).RunAsync(target, serverProcessId, deliveries, reuseDeliveries, cancellationToken);
}

/// <param name="ApiSpans">Spans the services exported over OTLP from the start of the API's warm-up to a few seconds after its run.</param>
public sealed record IngestResult(
    ClosedLoopResult Api,
    long ApiSpans,
    ClosedLoopResult Baseline,
    ClosedLoopResult DocsHandler,
    DurablePeerResult DurableDocsHandler,
    RedisCeilings RedisCeilings,
    Uri ApiAddress);

/// <param name="StreamLength">Entries in its stream afterwards, warm-up included: at least its acknowledgements.</param>
public sealed record DurablePeerResult(ClosedLoopResult Load, long StreamLength);
