using System.Text;
using PhonicAspire.Testing;
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

    [Theory]
    [InlineData("""{"endpoint_headers":{"Authorization":"a","X":{"endpoint_headers":{"Cookie":"inner"}},"Accept":"*/*"}}""")]
    [InlineData("""{"a":"endpoint_headers","b":["endpoint_headers",{"endpoint_headers":{"X-Token":"t"}}],"endpoint_headers":null}""")]
    [InlineData("{\"endpoint_headers\" \t\r\n: \n{ \"Secret-Key\" :\t[1, {\"k\": 2}] , \"Accept\": \"endpoint_headers\"}}")]
    [InlineData("""[{"endpoint_headers":"Authorization: Bearer x"},{"endpoint_headers":12},{"endpoint_headers":true},{"endpoint_headers":[]}]""")]
    [InlineData("""{"endpoint_headers":{}, "next":{"endpoint_headers":{"password":{"endpoint_headers":{"Cookie":"c"}}}}}""")]
    [InlineData("""{"items":[{"tool_calls":[{"endpoint_headers":{"Authorization":"a"}},{"endpoint_headers":{"Cookie":"b"}}]}]}""")]
    [InlineData("""{"live_transcript":"Hi.\nBye.","endpoint_headers":{"Cookie":"line\nbreak","Accept":"*/*"}}""")]
    [InlineData("""{"path":"C:\\dir\\","endpoint_headers":{"Authorization":"a\\","Accept":"\\"}}""")]
    public void A_body_without_escapes_is_redacted_as_a_read_of_every_token_redacts_it(string body)
    {
        // Where every quote opens or closes a string the names are found by searching for them; an escaped quote
        // anywhere sends the body through a read of every token instead. The same body with an escaped quote put first
        // must come out the same.
        var opening = body.IndexOfAny(['{', '[']) + 1;
        var escape = body[opening - 1] == '{' ? "\"escaped\":\"\\\"\"," : "\"\\\"\",";
        var escaped = body.Insert(opening, escape);

        var searched = Encoding.UTF8.GetString(CredentialRedaction.RedactEndpointHeaders(Encoding.UTF8.GetBytes(body)).Span);
        var read = Encoding.UTF8.GetString(CredentialRedaction.RedactEndpointHeaders(Encoding.UTF8.GetBytes(escaped)).Span);

        Assert.Equal(read.Remove(opening, escape.Length), searched);
        Assert.Contains(CredentialRedaction.Redacted, searched);
    }

    [Fact]
    public void Phonics_ended_sample_whose_endpoint_headers_hold_no_credential_is_returned_as_it_is()
    {
        ReadOnlyMemory<byte> json = SamplePayloads.Read(SamplePayloads.Ended);

        Assert.True(CredentialRedaction.RedactEndpointHeaders(json).Equals(json));
    }

    [Fact]
    public void A_body_without_endpoint_headers_is_returned_as_it_is()
    {
        ReadOnlyMemory<byte> json = Encoding.UTF8.GetBytes("""{"event_type":"conversation.analysis"}""");

        Assert.True(CredentialRedaction.RedactEndpointHeaders(json).Equals(json));
    }
}
