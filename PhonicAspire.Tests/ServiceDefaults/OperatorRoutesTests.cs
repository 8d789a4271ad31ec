using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace PhonicAspire.Tests.ServiceDefaults;

/// <summary>The operator key as configured against what a caller can present, on a real server on loopback.</summary>
public sealed class OperatorRoutesTests
{
    private const string Key = "0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData(Key + "\n")]
    [InlineData("  " + Key + "\r\n")]
    public async Task A_key_configured_with_white_space_around_it_as_a_secret_file_leaves_it_is_presented_without_it(string configured)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration[OperatorRoutes.KeyConfigurationKey] = configured;
        await using var app = builder.Build();
        app.MapOperatorRoutes()!.MapPost("/ping", () => Results.Ok());
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/ping");
        // What HTTP can carry: a header value has no white space at its ends.
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public void A_key_with_a_control_character_inside_it_is_refused_at_start_up_as_no_request_could_present_it()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration[OperatorRoutes.KeyConfigurationKey] = "0123456789abcdef\n0123456789abcdef";
        using var app = builder.Build();

        var refusal = Assert.Throws<InvalidOperationException>(() => app.MapOperatorRoutes());
        Assert.Contains(OperatorRoutes.KeyConfigurationKey, refusal.Message, StringComparison.Ordinal);
    }
}
