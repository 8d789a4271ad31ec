using System.Text;
using System.Text.Json;
using PhonicAspire.Testing;
using PhonicAspire.Webhooks.Svix;

namespace PhonicAspire.UnitTests.Signatures;

/// <summary>One case of the shared <c>svix/cases.json</c>, signed with the official svix library.</summary>
internal sealed record SvixCase(
    string Name,
    IReadOnlyList<string> Secrets,
    string? Id,
    string? Timestamp,
    string? Signature,
    long Now,
    byte[] Body,
    SvixVerificationResult Expected)
{
    public static IReadOnlyDictionary<string, SvixCase> All { get; } = Load();

    private static Dictionary<string, SvixCase> Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(SharedFiles.SvixCases));
        return document.RootElement.GetProperty("cases").EnumerateArray()
            .Select(Read)
            .ToDictionary(c => c.Name);
    }

    private static SvixCase Read(JsonElement c) => new(
        c.GetProperty("name").GetString()!,
        [.. c.GetProperty("secrets").EnumerateArray().Select(s => s.GetString()!)],
        c.GetProperty("id").GetString(),
        c.GetProperty("timestamp").GetString(),
        c.GetProperty("signature").GetString(),
        c.GetProperty("now").GetInt64(),
        ReadBody(c),
        ParseExpectation(c.GetProperty("expect").GetString()));

    private static byte[] ReadBody(JsonElement c)
    {
        if (c.TryGetProperty("body", out var body))
        {
            return Encoding.UTF8.GetBytes(body.GetString()!);
        }

        if (c.TryGetProperty("body_file", out var file))
        {
            return File.ReadAllBytes(SharedFiles.PhonicPayload(file.GetString()!));
        }

        var repeat = c.GetProperty("body_repeat");
        var text = new string(repeat.GetProperty("char").GetString()!.Single(), repeat.GetProperty("count").GetInt32());
        return Encoding.UTF8.GetBytes(text);
    }

    private static SvixVerificationResult ParseExpectation(string? expect) => expect switch
    {
        "ok" => SvixVerificationResult.Verified,
        "missing_headers" => SvixVerificationResult.MissingHeaders,
        "malformed_headers" => SvixVerificationResult.MalformedHeaders,
        "timestamp_too_old" => SvixVerificationResult.TimestampTooOld,
        "timestamp_too_new" => SvixVerificationResult.TimestampTooNew,
        "invalid_signature" => SvixVerificationResult.InvalidSignature,
        _ => throw new InvalidDataException($"Unknown expectation '{expect}' in {SharedFiles.SvixCases}."),
    };
}
