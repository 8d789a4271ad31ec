using PhonicAspire.Testing;

namespace PhonicAspire.Benchmarks.Payloads;

/// <summary>Phonic's <c>conversation.ended</c> sample (~2.6 KB), the body every benchmark sends.</summary>
public sealed class SamplePayload
{
    private SamplePayload(byte[] bytes) => Bytes = bytes;

    public byte[] Bytes { get; }

    public static SamplePayload Load() => new(SamplePayloads.Read(SamplePayloads.Ended));

    /// <summary>The same event for another conversation, so that stored events do not all update one row.</summary>
    public byte[] ForNewConversation() => ForConversation(SamplePayloads.NewConversationId());

    public byte[] ForConversation(string conversationId) => SamplePayloads.WithConversationId(SamplePayloads.Ended, conversationId);
}
