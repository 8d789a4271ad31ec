using System.Text;
using PhonicAspire.Webhooks;
using PhonicAspire.Worker.Phonic;

namespace PhonicAspire.UnitTests.Storage;

/// <summary>The parser never throws and keeps what it can of odd bodies; no database needed.</summary>
public sealed class PhonicEventParserTests
{
    [Theory]
    [InlineData("""{"\ud800":1,"event_type":"conversation.ended","data":{"conversation":{"id":"c"}}}""", "surrogate")]
    [InlineData("""{"event_type":"conversation.ended","data":{"conversation":{"id":"c","\ud800x":{"\udc00":2}}}}""", "surrogate")]
    [InlineData("""{"event_type":"conversation.analysis","data":{"conversation":{"id":"c","latencies_ms":[1e20000]}}}""", "numeric")]
    [InlineData("""{"event_type":"conversation.analysis","data":{"conversation":{"id":"c","latencies_ms":[1e-20000]}}}""", "numeric")]
    [InlineData("""{"event_type":"conversation.analysis","data":{"conversation":{"id":"c","latencies_ms":[1e-2147483648]}}}""", "numeric")]
    [InlineData("""{"event_type":"conversation.analysis","data":{"conversation":{"id":"c","latencies_ms":[2.5E+20000]}}}""", "numeric")]
    [InlineData("""{"event_type":"conversation.analysis","data":{"conversation":{"id":"c-1e5","latencies_ms":[ 1, -1e20000]}}}""", "numeric")]
    [InlineData("{\"event_type\":\"conversation.analysis\",\"data\":{\"conversation\":{\"id\":\"c\",\"duration_ms\":\n1e20000}}}", "numeric")]
    [InlineData("""{"event_type":"conversation.analysis","data":{"conversation":{"id":"c","latencies_ms":[0.00001e-16380]}}}""", "numeric")]
    [InlineData("""{"event_type":"conversation.analysis","data":{"conversation":{"id":"c","\u0000":1}}}""", "\\u0000")]
    [InlineData("", "not JSON")]
    [InlineData("{\"event_type\":", "not JSON")]
    [InlineData("42", "not an object")]
    public void Body_that_jsonb_or_the_model_cannot_take_gets_a_reason(string json, string reason)
    {
        var parsed = PhonicEventParser.Parse(Encoding.UTF8.GetBytes(json), "conversation.ended");

        Assert.Contains(reason, parsed.ParseError);
        Assert.Null(parsed.Update);
    }

    [Theory]
    [InlineData("""["\u0000"]""")]
    [InlineData("1e999999")]
    [InlineData("""["\ud800"]""")]
    [InlineData("""{"event_type":"conversation.ended","data":{"conversation":{"id":"LONG","workspace":"a\u0000b"}}}""")]
    public void Body_that_jsonb_cannot_hold_has_no_payload_whatever_its_shape(string json)
    {
        // Neither an object nor a conversation id the store can index takes the jsonb check's place.
        var parsed = PhonicEventParser.Parse(Encoding.UTF8.GetBytes(json.Replace("LONG", new string('c', 2100), StringComparison.Ordinal)), null);

        Assert.NotNull(parsed.ParseError);
        Assert.Null(parsed.Payload);
    }

    [Fact]
    public void A_number_too_long_for_numeric_gets_a_reason_though_it_has_no_exponent()
    {
        var json = """{"event_type":"conversation.analysis","data":{"conversation":{"id":"c","latencies_ms":[1"""
            + new string('0', 16_000) + "]}}}";

        var parsed = PhonicEventParser.Parse(Encoding.UTF8.GetBytes(json), null);

        Assert.Contains("too long for PostgreSQL numeric", parsed.ParseError);
    }

    [Fact]
    public void Letters_e_after_digits_inside_strings_are_only_text()
    {
        var parsed = PhonicEventParser.Parse(
            """{"event_type":"conversation.ended","data":{"conversation":{"id":"conv_1e5","workspace":"2E9 and 3e-99999"}}}"""u8.ToArray(),
            null);

        Assert.Null(parsed.ParseError);
        Assert.Equal("2E9 and 3e-99999", parsed.Update?.Conversation.Workspace);
    }

    [Fact]
    public void Members_named_with_escapes_are_read_by_their_unescaped_names()
    {
        var parsed = PhonicEventParser.Parse(
            """{"event_type":"conversation.ended","data":{"conversation":{"id":"c","w\u006frkspace":"ws","items":[{"r\u006fle":"user"}]}}}"""u8.ToArray(),
            null);

        Assert.Null(parsed.ParseError);
        Assert.Equal("ws", parsed.Update?.Conversation.Workspace);
        Assert.Equal("user", Assert.Single(parsed.Update!.Items).Item.Role);
    }

    [Fact]
    public void Escaped_backslash_before_u0000_is_ordinary_text()
    {
        var parsed = PhonicEventParser.Parse(
            """{"event_type":"conversation.ended","data":{"conversation":{"id":"c","workspace":"\\u0000","duration_ms":1.5e3}}}"""u8.ToArray(),
            null);

        Assert.Null(parsed.ParseError);
        Assert.NotNull(parsed.Payload);
        Assert.Equal("\\u0000", parsed.Update?.Conversation.Workspace);
        Assert.Equal(1500, parsed.Update?.Conversation.DurationMs);
    }

    [Fact]
    public void Byte_order_mark_is_left_out_of_the_payload()
    {
        byte[] body = [0xEF, 0xBB, 0xBF, .. """{"event_type":"conversation.analysis","data":{"conversation":{"id":"c"}}}"""u8];

        var parsed = PhonicEventParser.Parse(body, null);

        Assert.Null(parsed.ParseError);
        Assert.Equal(body[3..], parsed.Payload?.ToArray());
    }

    [Fact]
    public void Timestamps_are_read_as_utc_with_or_without_an_offset()
    {
        var parsed = PhonicEventParser.Parse(
            """{"event_type":"conversation.ended","created_at":"2025-07-14T13:36:33.768+02:00","data":{"conversation":{"id":"c","started_at":"2025-07-14T11:35:40.617"}}}"""u8.ToArray(),
            null);

        Assert.Equal(DateTimeOffset.Parse("2025-07-14T11:36:33.768Z"), parsed.CreatedAt);
        Assert.Equal(TimeSpan.Zero, parsed.CreatedAt?.Offset);
        Assert.Equal(DateTimeOffset.Parse("2025-07-14T11:35:40.617Z"), parsed.Update?.Conversation.StartedAt);
    }

    [Fact]
    public void Items_fall_back_to_positions_when_item_idx_cannot_key_them()
    {
        var parsed = PhonicEventParser.Parse(
            """{"event_type":"conversation.ended","data":{"conversation":{"id":"c","items":[{"item_idx":5},{"item_idx":5},{}]}}}"""u8.ToArray(),
            null);

        Assert.Equal([0, 1, 2], parsed.Update!.Items.Select(item => item.Item.ItemIdx));
    }

    [Fact]
    public void Latencies_keep_their_positions_when_one_is_not_a_number()
    {
        var parsed = PhonicEventParser.Parse(
            """{"event_type":"conversation.analysis","data":{"conversation":{"id":"c","latencies_ms":[10.5,"x",30],"interruptions_count":2.0}}}"""u8.ToArray(),
            null);

        Assert.Equal([10.5, null, 30], parsed.Update!.Conversation.LatenciesMs!);
        Assert.Equal(2, parsed.Update.Conversation.InterruptionsCount);
    }

    [Fact]
    public void Event_type_from_the_body_wins_over_the_delivered_one()
    {
        var parsed = PhonicEventParser.Parse(
            """{"event_type":"conversation.transferred","data":{"conversation":{"id":"c"},"transferred_to":"+1555"}}"""u8.ToArray(),
            "conversation.ended");

        Assert.Equal("conversation.transferred", parsed.EventType);
        Assert.Equal("+1555", parsed.Update?.Conversation.TransferredTo);
    }

    [Theory]
    [InlineData("a", 2_000, true)]
    [InlineData("a", 2_001, false)]
    // 1,000 characters of three bytes each: the limit is PostgreSQL's, in bytes.
    [InlineData("€", 1_000, false)]
    [InlineData("€", 666, true)]
    public void A_conversation_id_is_kept_up_to_2000_bytes_of_utf8_and_is_a_parse_error_past_them(string character, int count, bool kept)
    {
        var conversationId = string.Concat(Enumerable.Repeat(character, count));
        var body = Body("conversation.transferred", conversationId);

        var parsed = PhonicEventParser.Parse(body, PhonicEventTypes.ConversationTransferred);

        Assert.Equal(kept ? conversationId : null, parsed.ConversationId);
        Assert.Equal(!kept, parsed.ParseError?.Contains("longer than the 2000 bytes", StringComparison.Ordinal) == true);
        Assert.NotNull(parsed.Payload);
    }

    [Fact]
    public void A_conversation_id_too_long_to_index_is_a_parse_error_for_an_event_type_without_a_projection_too()
    {
        var body = Body("conversation.new_kind", new string('a', 2_001));

        var parsed = PhonicEventParser.Parse(body, "conversation.new_kind");

        Assert.Null(parsed.ConversationId);
        Assert.Contains("data.conversation.id is longer than", parsed.ParseError);
    }

    private static byte[] Body(string eventType, string conversationId) =>
        Encoding.UTF8.GetBytes($"{{\"event_type\":\"{eventType}\",\"data\":{{\"conversation\":{{\"id\":\"{conversationId}\"}}}}}}");
}
