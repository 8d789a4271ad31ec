using PhonicAspire.Webhooks;
using PhonicAspire.Webhooks.Samples;
using PhonicAspire.Worker.Phonic;

namespace PhonicAspire.UnitTests.Worker;

/// <summary>
/// The storage compares a failed batch with Phonic's sample of each of its event types, so every type needs one that
/// the worker reads as that type's event.
/// </summary>
public sealed class SampleEventsTests
{
    [Fact]
    public void Every_known_event_type_has_a_sample_the_worker_reads_as_that_type_with_its_fresh_conversation_id()
    {
        foreach (var eventType in PhonicEventTypes.All)
        {
            var (conversationId, body) = SampleEvents.Create(eventType, DateTimeOffset.UtcNow);

            var parsed = PhonicEventParser.Parse(body, deliveredEventType: null);

            Assert.Null(parsed.ParseError);
            Assert.Equal(eventType, parsed.EventType);
            Assert.Equal(conversationId, parsed.ConversationId);
            Assert.NotNull(parsed.Update);
        }
    }
}
