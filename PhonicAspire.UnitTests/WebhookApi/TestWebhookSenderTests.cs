using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PhonicAspire.WebhookApi.Configuration;
using PhonicAspire.WebhookApi.Development;
using PhonicAspire.Webhooks;

namespace PhonicAspire.UnitTests.WebhookApi;

public sealed class TestWebhookSenderTests
{
    // The dashboard gives the command 15 s; the webhook route's 503s ask for 5 s each, and three retries of them outlast it,
    // so the operator saw the command time out instead of the route's answer.
    [Fact]
    public async Task The_test_webhook_reports_the_routes_refusal_at_once_instead_of_retrying_it()
    {
        var route = new RefusingRoute();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = "localhost:1,abortConnect=false",
            [$"{WebhookOptions.SectionName}:{nameof(WebhookOptions.WebhookSecrets)}"] = $"whsec_{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}",
        });
        builder.AddServiceDefaults();
        builder.AddWebhookReceiving();
        builder.Services.AddSingleton<IServer>(new AddressedServer("http://localhost:5000"));
        builder.Services.AddHttpClient<TestWebhookSender>().ConfigurePrimaryHttpMessageHandler(() => route);
        using var services = builder.Services.BuildServiceProvider();

        var sent = await services.GetRequiredService<TestWebhookSender>()
            .SendAsync(PhonicEventTypes.ConversationEnded, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(sent.Accepted);
        Assert.Equal((int)HttpStatusCode.ServiceUnavailable, sent.Status);
        Assert.Equal(1, route.Requests);
    }

    // As the webhook route answers while Redis is away, with a pause short enough that retries would not slow the test.
    private sealed class RefusingRoute : HttpMessageHandler
    {
        private int _requests;

        public int Requests => Volatile.Read(ref _requests);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _requests);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Headers = { RetryAfter = new(TimeSpan.Zero) } });
        }
    }

    private sealed class AddressedServer(string address) : IServer
    {
        public IFeatureCollection Features { get; } = Addressed(address);

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }

        private static FeatureCollection Addressed(string address)
        {
            var features = new FeatureCollection();
            features.Set<IServerAddressesFeature>(new ServerAddressesFeature { Addresses = { address } });
            return features;
        }
    }
}
