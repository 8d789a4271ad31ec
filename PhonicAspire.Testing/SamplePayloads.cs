using System.Collections.Concurrent;
using System.Text;

namespace PhonicAspire.Testing;

/// <summary>Phonic's sample payloads from <c>../shared/phonic/payloads</c>, byte for byte.</summary>
public static class SamplePayloads
{
    public const string Ended = "conversation-ended.json";
    public const string Analysis = "conversation-analysis.json";
    public const string Transferred = "conversation-transferred.json";
    public const string EndedDocsSample = "conversation-ended.docs-sample.json";

    /// <summary>The sample conversation id in the three full samples.</summary>
    public const string SampleConversationId = "conv_0b6f3c1e-7d2a-4c55-9a10-2f3e4d5c6b7a";

    // Benchmarks make thousands of bodies from one sample; the file is read once.
    private static readonly ConcurrentDictionary<string, string> Texts = new();

    public static byte[] Read(string fileName) => File.ReadAllBytes(SharedFiles.PhonicPayload(fileName));

    public static byte[] WithConversationId(string fileName, string conversationId) =>
        Encoding.UTF8.GetBytes(Texts.GetOrAdd(fileName, name => Encoding.UTF8.GetString(Read(name)))
            .Replace(SampleConversationId, conversationId, StringComparison.Ordinal));

    public static string NewConversationId() => $"conv_{Guid.NewGuid()}";
}
