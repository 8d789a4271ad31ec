using System.Text;
using PhonicAspire.Worker.Phonic;

namespace PhonicAspire.UnitTests.Worker;

public sealed class CredentialRedactionTests
{
    [Theory]
    [InlineData("Authorization", true)]
    [InlineData("proxy-authorization", true)]
    [InlineData("Cookie", true)]
    [InlineData("X-Api-Key", true)]
    [InlineData("x-access-token", true)]
    [InlineData("Client-Secret", true)]
    [InlineData("X-Password", true)]
    [InlineData("Content-Type", false)]
    [InlineData("X-Request-Id", false)]
    public void Credential_names_are_authorization_cookies_and_names_with_token_key_secret_or_password(string name, bool credential) =>
        Assert.Equal(credential, CredentialRedaction.IsCredentialName(name));

    [Fact]
    public void Only_the_credential_values_of_endpoint_headers_change_and_every_other_byte_stays()
    {
        var json = """{ "a" : 1.50e+01, "endpoint_headers" : { "Authorization" : "Bearer x", "Accept":"*/*", "Cookie": {"nested": "y"}, "X-Token": null },"authorization":"not a header"}""";

        var redacted = Encoding.UTF8.GetString(CredentialRedaction.RedactEndpointHeaders(Encoding.UTF8.GetBytes(json)).Span);

        Assert.Equal("""{ "a" : 1.50e+01, "endpoint_headers" : { "Authorization" : "[redacted]", "Accept":"*/*", "Cookie": "[redacted]", "X-Token": null },"authorization":"not a header"}""", redacted);
    }

    [Fact]
    public void Endpoint_headers_named_with_json_escapes_are_redacted_too()
    {
        // PostgreSQL's jsonb, and every reader of the payload, sees the name unescaped: "endpoint_headers".
        var json = """{"endpoint\u005fheaders":{"Authorization":"Bearer x"}}""";

        var redacted = Encoding.UTF8.GetString(CredentialRedaction.RedactEndpointHeaders(Encoding.UTF8.GetBytes(json)).Span);

        Assert.Equal("""{"endpoint\u005fheaders":{"Authorization":"[redacted]"}}""", redacted);
    }

    [Theory]
    [InlineData("\"Authorization: Bearer x\"")]
    [InlineData("[[\"Authorization\",\"Bearer x\"]]")]
    public void Endpoint_headers_that_are_not_an_object_are_redacted_whole(string headers)
    {
        // No header names to tell credentials by: none of it is kept.
        var json = $$"""{"endpoint_headers":{{headers}},"after":1}""";

        var redacted = Encoding.UTF8.GetString(CredentialRedaction.RedactEndpointHeaders(Encoding.UTF8.GetBytes(json)).Span);

        Assert.Equal("""{"endpoint_headers":"[redacted]","after":1}""", redacted);
        Assert.Equal("\"[redacted]\"", CredentialRedaction.RedactHeaderObject(headers));
    }

    [Fact]
    public void Endpoint_headers_that_are_null_stay_null()
    {
        const string Json = """{"endpoint_headers":null}""";

        Assert.Equal(Json, Encoding.UTF8.GetString(CredentialRedaction.RedactEndpointHeaders(Encoding.UTF8.GetBytes(Json)).Span));
    }

    [Fact]
    public void A_body_without_endpoint_headers_is_returned_as_it_is()
    {
        ReadOnlyMemory<byte> json = Encoding.UTF8.GetBytes("""{"event_type":"conversation.analysis"}""");

        Assert.True(CredentialRedaction.RedactEndpointHeaders(json).Equals(json));
    }
}
