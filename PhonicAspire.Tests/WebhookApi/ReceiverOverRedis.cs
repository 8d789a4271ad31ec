using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using PhonicAspire.ServiceDefaults.Telemetry;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.WebhookApi.Configuration;
using PhonicAspire.WebhookApi.Queueing;
using PhonicAspire.WebhookApi.Queueing.Durability;
using PhonicAspire.WebhookApi.Receiving;
using PhonicAspire.Webhooks.Svix;
using StackExchange.Redis;

namespace PhonicAspire.Tests.WebhookApi;

/// <summary>
/// The API's receiver with its appender and durability monitor running over a real Redis, without Kestrel: a test
/// hands it a request whose body it controls and reads the result it answers with.
/// </summary>
public sealed class ReceiverOverRedis : IAsyncDisposable
{
    private static readonly TimeSpan FirstReadingTimeout = TimeSpan.FromSeconds(30);

    private readonly ServiceProvider _meters;
    private readonly StreamAppender _appender;

    private ReceiverOverRedis(IConnectionMultiplexer redis)
    {
        Options = Microsoft.Extensions.Options.Options.Create(new WebhookOptions { WebhookSecrets = $"whsec_{Convert.ToBase64String(Key)}" });
        Budget = new InFlightBodyBudget(Options);
        _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        _appender = new StreamAppender(redis, Options, TimeProvider.System);
        Durability = new RedisDurabilityMonitor(redis, new RedisDurabilityProbe(redis), Options, TimeProvider.System, NullLogger<RedisDurabilityMonitor>.Instance);
        Receiver = new WebhookReceiver(
            new WebhookBodyReader(Options, Budget),
            new SvixSignatureVerifier(WebhookSigningKeys.Parse(Options.Value.WebhookSecrets), TimeProvider.System),
            new WebhookQueue(_appender, Options),
            Durability,
            new RedisMemoryPressure(new RedisDurabilityProbe(redis)),
            new PhonicMetrics(_meters.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()),
            TimeProvider.System,
            Options,
            Log);
    }

    public byte[] Key { get; } = RandomNumberGenerator.GetBytes(32);

    public IOptions<WebhookOptions> Options { get; }

    public InFlightBodyBudget Budget { get; }

    public RedisDurabilityMonitor Durability { get; }

    public FakeLogger<WebhookReceiver> Log { get; } = new();

    public WebhookReceiver Receiver { get; }

    /// <summary>Starts the appender and the monitor, and waits until the monitor has read Redis as durable.</summary>
    public static async Task<ReceiverOverRedis> StartAsync(IConnectionMultiplexer redis)
    {
        var started = new ReceiverOverRedis(redis);
        await started._appender.StartAsync(CancellationToken.None);
        await started.Durability.StartAsync(CancellationToken.None);
        await Eventually.ReturnsAsync(
            () => Task.FromResult(started.Durability.AllowsAcknowledging), allows => allows, FirstReadingTimeout, "the API to read Redis as durable");
        return started;
    }

    /// <summary>A delivery signed with <see cref="Key"/> whose body the receiver reads from <paramref name="body"/>.</summary>
    public DefaultHttpContext SignedDelivery(byte[] signedBody, Stream body)
    {
        var svixId = $"msg_{Guid.NewGuid():N}";
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Post;
        context.Request.ContentType = "application/json";
        context.Request.ContentLength = signedBody.Length;
        context.Request.Body = body;
        context.Request.Headers[SvixHeaders.Id] = svixId;
        context.Request.Headers[SvixHeaders.Timestamp] = timestamp.ToString(CultureInfo.InvariantCulture);
        context.Request.Headers[SvixHeaders.Signature] = SvixSigner.Sign(Key, svixId, timestamp, signedBody);
        return context;
    }

    public async ValueTask DisposeAsync()
    {
        await Durability.StopAsync(CancellationToken.None);
        await _appender.StopAsync(CancellationToken.None);
        Durability.Dispose();
        _appender.Dispose();
        await _meters.DisposeAsync();
    }
}
