using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PhonicAspire.Worker.Forwarding;

namespace PhonicAspire.UnitTests.Worker;

public sealed class ForwardingClientTests
{
    [Fact]
    public void The_forwarding_client_leaves_each_attempt_to_AttemptTimeout_however_long_that_is_set()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddWebhookForwarding();
        using var services = builder.Services.BuildServiceProvider();

        var client = services.GetRequiredService<IHttpClientFactory>().CreateClient(ForwardingHandler.HttpClientName);

        var longestAttempt = TimeSpan.Parse(
            (string)typeof(ForwardingOptions).GetProperty(nameof(ForwardingOptions.AttemptTimeout))!.GetCustomAttributes(typeof(RangeAttribute), false)
                .Cast<RangeAttribute>().Single().Maximum,
            CultureInfo.InvariantCulture);
        Assert.True(client.Timeout == Timeout.InfiniteTimeSpan || client.Timeout >= longestAttempt,
            $"the client gives up after {client.Timeout}, though an attempt may be allowed {longestAttempt}");
    }

    // The handler keeps one client for its life, so the factory's handler rotation never reaches it: only connections
    // that end let a destination that moved to another address (a fail-over by DNS) be reached there.
    [Fact]
    public void The_forwarding_clients_connections_end_in_time_for_a_destination_that_moved_to_be_reached_at_its_new_address()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddWebhookForwarding();
        using var services = builder.Services.BuildServiceProvider();

        HttpMessageHandler handler = services.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(ForwardingHandler.HttpClientName);
        while (handler is DelegatingHandler delegating)
        {
            handler = delegating.InnerHandler!;
        }

        var connections = Assert.IsType<SocketsHttpHandler>(handler);
        Assert.InRange(connections.PooledConnectionLifetime, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));
    }
}
