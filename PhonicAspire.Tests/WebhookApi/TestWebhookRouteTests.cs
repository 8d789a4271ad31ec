using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PhonicAspire.WebhookApi.Development;
using PhonicAspire.Webhooks.Svix;

namespace PhonicAspire.Tests.WebhookApi;

/// <summary>The dashboard's test-webhook route on a real Kestrel, its post to the webhook route failing before any answer.</summary>
public sealed class TestWebhookRouteTests
{
    [Fact]
    public async Task A_test_webhook_that_cannot_reach_the_webhook_route_answers_502_naming_why()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(WebhookSigningKeys.Parse($"whsec_{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}"));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddHttpClient<TestWebhookSender>().ConfigurePrimaryHttpMessageHandler(() => new UnreachableRoute());
        await using var app = builder.Build();
        app.UseProblemResponses();
        app.MapTestWebhooks();
        await app.StartAsync();
        try
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };

            using var response = await client.PostAsync(TestWebhookEndpoints.Route, content: null);

            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
            Assert.Contains(nameof(HttpRequestError.ConnectionError), problem?.Detail, StringComparison.Ordinal);
        }
        finally
        {
            await app.StopAsync();
        }
    }

    private sealed class UnreachableRoute : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused");
    }
}
