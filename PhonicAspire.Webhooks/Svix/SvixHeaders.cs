using System.Globalization;
using System.Net.Http.Headers;

namespace PhonicAspire.Webhooks.Svix;

/// <summary>
/// The headers that carry a signed delivery. Svix sends the <c>svix-</c> names; its libraries also accept the
/// Standard Webhooks names, so senders that follow that spec work too.
/// </summary>
public static class SvixHeaders
{
    public const string Id = "svix-id";
    public const string Timestamp = "svix-timestamp";
    public const string Signature = "svix-signature";

    public const string StandardId = "webhook-id";
    public const string StandardTimestamp = "webhook-timestamp";
    public const string StandardSignature = "webhook-signature";

    /// <summary>
    /// The signature header's value when a sender put it on several lines, one entry or more on each. HTTP joins
    /// repeated lines with commas, but the entries hold commas of their own and are separated by spaces, so the lines
    /// join with a space; joined with commas, no entry would match. Generic so that ASP.NET's <c>StringValues</c>
    /// is not boxed on every request for the usual single line.
    /// </summary>
    public static string JoinSignatureLines<TLines>(TLines lines) where TLines : IReadOnlyList<string?> =>
        lines.Count == 1 ? lines[0] ?? "" : string.Join(' ', lines);

    /// <summary>Puts a signed delivery's three headers on a request, as Svix sends them.</summary>
    public static void Add(HttpRequestHeaders headers, string svixId, long timestamp, string signature) =>
        Add(headers, (Id, Timestamp, Signature), svixId, timestamp, signature);

    /// <summary>Puts a signed delivery's three headers on a request under the Standard Webhooks names.</summary>
    public static void AddStandard(HttpRequestHeaders headers, string messageId, long timestamp, string signature) =>
        Add(headers, (StandardId, StandardTimestamp, StandardSignature), messageId, timestamp, signature);

    private static void Add(HttpRequestHeaders headers, (string Id, string Timestamp, string Signature) names, string messageId, long timestamp, string signature)
    {
        headers.Add(names.Id, messageId);
        headers.Add(names.Timestamp, timestamp.ToString(CultureInfo.InvariantCulture));
        headers.Add(names.Signature, signature);
    }
}
