using System.Net;

namespace PhonicAspire.UnitTests.Worker;

/// <summary>An event its destination never took goes to the forwarding dead letters with why the attempts failed.</summary>
public sealed class ForwardingExpiryTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_event_that_expires_while_its_destination_fails_is_dead_lettered_with_the_last_attempts_failure()
    {
        var handler = InTestForwarding.Handler(new AlwaysUnavailable(), TimeProvider.System, options =>
        {
            // Long enough for the first attempts on a busy machine, whose JIT may take a while over the first.
            options.MaxAge = TimeSpan.FromSeconds(2);
            options.FirstRetryDelay = TimeSpan.FromMilliseconds(10);
            options.MaxRetryDelay = TimeSpan.FromMilliseconds(50);
        });
        var delivery = InTestForwarding.Delivery();

        // The in-test outcomes throw the reason a rejection is given.
        var rejection = await Assert.ThrowsAsync<InvalidOperationException>(
            () => handler.HandleAsync([delivery], InTestForwarding.Outcomes(delivery), CancellationToken.None).WaitAsync(Timeout));

        Assert.Contains("not delivered within", rejection.Message, StringComparison.Ordinal);
        Assert.Contains("answered 503", rejection.Message, StringComparison.Ordinal);
    }

    private sealed class AlwaysUnavailable : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
    }
}
