using System.Net;
using System.Text.Json;

namespace PhonicAspire.Tests.Infrastructure;

public static class ProblemAssert
{
    /// <summary>Asserts an RFC 9457 answer with the status and problem type, and that it leaks no secret.</summary>
    public static async Task IsProblemAsync(HttpResponseMessage response, HttpStatusCode status, string problem)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);

        var body = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(body);
        Assert.Equal($"urn:phonic-aspire:problem:{problem}", document.RootElement.GetProperty("type").GetString());
        Assert.Equal((int)status, document.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(document.RootElement.GetProperty("detail").GetString()));
        Assert.DoesNotContain(PhonicStackFixture.WebhookSecret["whsec_".Length..], body, StringComparison.Ordinal);
    }
}
