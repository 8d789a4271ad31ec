using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PhonicAspire.WebhookApi.Configuration;
using PhonicAspire.WebhookApi.Queueing;
using StackExchange.Redis;

namespace PhonicAspire.UnitTests.WebhookApi;

public sealed class StreamAppenderTimeoutTests
{
    // The append loop is never started, so the delivery waits in the queue until its QueueTimeout passes on the clock
    // the API was given.
    [Fact]
    public async Task A_delivery_waiting_for_its_append_gives_up_once_the_apis_clock_passes_QueueTimeout()
    {
        var queueTimeout = TimeSpan.FromMinutes(10);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var unreachable = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions { EndPoints = { "127.0.0.1:1" }, AbortOnConnectFail = false, ConnectTimeout = 100 });
        var appender = new StreamAppender(unreachable, Options.Create(new WebhookOptions { QueueTimeout = queueTimeout }), clock);

        var waiting = appender.AppendAsync("msg_waiting", [RedisValue.EmptyString], queueTimeout, CancellationToken.None);
        clock.Advance(queueTimeout);

        Assert.Same(waiting, await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(30))));
        await Assert.ThrowsAsync<TimeoutException>(() => waiting);
    }
}
