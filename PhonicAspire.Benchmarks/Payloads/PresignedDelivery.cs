using System.Net.Http.Headers;
using PhonicAspire.Webhooks.Svix;

namespace PhonicAspire.Benchmarks.Payloads;

/// <summary>A delivery signed ahead of time, so that the load generator's hot path only builds the request.</summary>
public sealed record PresignedDelivery(string SvixId, string Timestamp, string Signature, byte[] Body)
{
    public const string Route = "/webhooks/phonic";

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public HttpRequestMessage ToRequest()
    {
        var content = new ByteArrayContent(Body);
        content.Headers.ContentType = Json;
        var request = new HttpRequestMessage(HttpMethod.Post, Route) { Content = content };
        request.Headers.TryAddWithoutValidation(SvixHeaders.Id, SvixId);
        request.Headers.TryAddWithoutValidation(SvixHeaders.Timestamp, Timestamp);
        request.Headers.TryAddWithoutValidation(SvixHeaders.Signature, Signature);
        return request;
    }
}
