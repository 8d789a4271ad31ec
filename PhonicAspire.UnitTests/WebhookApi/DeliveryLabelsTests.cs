using System.Text;
using PhonicAspire.Testing;
using PhonicAspire.WebhookApi.Receiving;

namespace PhonicAspire.UnitTests.WebhookApi;

public sealed class DeliveryLabelsTests
{
    [Theory]
    [InlineData(SamplePayloads.Ended, "conversation.ended")]
    [InlineData(SamplePayloads.Analysis, "conversation.analysis")]
    [InlineData(SamplePayloads.Transferred, "conversation.transferred")]
    public void Reads_event_type_and_conversation_id_of_the_samples(string payload, string eventType)
    {
        var labels = DeliveryLabels.Read(SamplePayloads.Read(payload));

        Assert.Equal(new DeliveryLabels(eventType, SamplePayloads.SampleConversationId), labels);
    }

    [Theory]
    [InlineData("""{"event_type":"\ud800","data":{"conversation":{"id":"conv_1"}}}""", null, "conv_1")]
    [InlineData("""{"event_type":"conversation.ended","data":{"conversation":{"id":"conv_\udfff"}}}""", "conversation.ended", null)]
    public void A_label_that_is_an_escaped_lone_surrogate_is_left_out(string body, string? eventType, string? conversationId)
    {
        var labels = DeliveryLabels.Read(Encoding.UTF8.GetBytes(body));

        Assert.Equal(new DeliveryLabels(eventType, conversationId), labels);
    }

    [Theory]
    [InlineData("""{"\ud83d":1,"event_type":"conversation.ended","data":{"conversation":{"id":"conv_1"}}}""")]
    [InlineData("""{"event_type":"conversation.ended","\udc00x":{"\ud800":[]},"data":{"conversation":{"id":"conv_1"}}}""")]
    [InlineData("""{"event_type":"conversation.ended","data":{"\ud83dabc":1,"conversation":{"id":"conv_1"}}}""")]
    [InlineData("""{"event_type":"conversation.ended","data":{"conversation":{"\udc00":1,"id":"conv_1"}}}""")]
    [InlineData("""{"data":{"conversation":{"id":"conv_1"}},"\ud800":1,"event_type":"conversation.ended"}""")]
    public void Names_that_are_escaped_lone_surrogates_are_passed_over(string body)
    {
        // Valid JSON, signed by Phonic or not: a name no text can spell is none of the labels' names.
        Assert.Equal(new DeliveryLabels("conversation.ended", "conv_1"), DeliveryLabels.Read(Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public void Reads_the_docs_sample_where_event_type_comes_before_a_pretty_printed_data()
    {
        var labels = DeliveryLabels.Read(SamplePayloads.Read(SamplePayloads.EndedDocsSample));

        Assert.Equal(new DeliveryLabels("conversation.ended", "conv_894dcb66-c3dd-4160-8606-30387e8ab9b5"), labels);
    }

    [Fact]
    public void Reading_stops_at_the_conversation_id_once_the_event_type_is_known()
    {
        // Cut off right after the labels: nothing past them is read, so what follows cannot take them away.
        var body = Encoding.UTF8.GetBytes("""{"event_type":"conversation.ended","data":{"conversation":{"id":"conv_1","items":[{"role":""");

        Assert.Equal(new DeliveryLabels("conversation.ended", "conv_1"), DeliveryLabels.Read(body));
    }

    [Theory]
    [InlineData("""{"data":{"conversation":{"id":"conv_1","items":[]},"call_info":{}},"event_type":"conversation.ended"}""")]
    [InlineData("""{"data":{"conversation":{"items":[{"id":"item"}],"id":"conv_1"}},"event_type":"conversation.ended"}""")]
    [InlineData("""{"event_type":"conversation.ended","data":{"conversation":{"id":7,"id":"conv_1","id":"conv_2"}}}""")]
    [InlineData("""{"event_type":"conversation.ended","data":{"call_info":{"conversation":{"id":"nested"}},"conversation":{"id":"conv_1"}}}""")]
    [InlineData("""{"data":{"conversation":{"id":"conv_1","id":"conv_2"}},"event_type":"conversation.ended"}""")]
    public void The_labels_are_the_event_type_and_the_first_string_id_of_the_conversation_in_any_order(string body)
    {
        Assert.Equal(new DeliveryLabels("conversation.ended", "conv_1"), DeliveryLabels.Read(Encoding.UTF8.GetBytes(body)));
    }

    [Theory]
    [InlineData("""{"event_type":"conversation.analysis","event_type":"conversation.ended","data":{"conversation":{"id":"conv_1"}}}""")]
    [InlineData("""{"event_type":42,"event_type":"conversation.ended","data":{"conversation":{"id":"conv_1"}}}""")]
    public void The_event_type_is_the_last_string_given_before_data_as_the_worker_stores_it(string body)
    {
        // Forwarding filters on this label, so it must name the type the stored event has.
        Assert.Equal(new DeliveryLabels("conversation.ended", "conv_1"), DeliveryLabels.Read(Encoding.UTF8.GetBytes(body)));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"event_type\":42,\"data\":[]}")]
    [InlineData("{\"data\":{\"conversation\":{\"id\":7}}}")]
    [InlineData("{\"event_type\":\"x\",\"data\":{\"conversation\":")]
    public void Bodies_without_labels_have_none_and_do_not_throw(string body)
    {
        var labels = DeliveryLabels.Read(Encoding.UTF8.GetBytes(body));

        Assert.Null(labels.ConversationId);
        Assert.True(labels.EventType is null or "x");
    }

    [Fact]
    public void A_nested_event_type_object_is_not_mistaken_for_the_envelope()
    {
        var body = Encoding.UTF8.GetBytes(
            """{"event_type":{"event_type":"fake","data":{"conversation":{"id":"fake"}}},"data":{"conversation":{"id":"real"}}}""");

        Assert.Equal(new DeliveryLabels(null, "real"), DeliveryLabels.Read(body));
    }

    [Fact]
    public void Deep_nesting_is_not_followed()
    {
        var body = Encoding.ASCII.GetBytes("{\"a\":" + new string('[', 10_000) + new string(']', 10_000) + ",\"event_type\":\"late\"}");

        Assert.Equal(default, DeliveryLabels.Read(body));
    }
}
