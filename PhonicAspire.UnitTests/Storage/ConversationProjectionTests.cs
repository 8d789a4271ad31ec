using System.Buffers;
using System.Linq.Expressions;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using PhonicAspire.Testing;
using PhonicAspire.Webhooks;
using PhonicAspire.Worker.Persistence;
using PhonicAspire.Worker.Persistence.Entities;
using PhonicAspire.Worker.Persistence.Staging;
using PhonicAspire.Worker.Phonic;
using PhonicAspire.Worker.Projections;

namespace PhonicAspire.UnitTests.Storage;

/// <summary>The projections and the EF model agree, so an event type or a column left out fails here, not in production.</summary>
public sealed class ConversationProjectionTests
{
    private static readonly IModel Model = new DesignTimePhonicDbContextFactory().CreateDbContext([]).Model;

    [Fact]
    public void Every_known_event_type_has_exactly_one_projection()
    {
        Assert.Equal(
            PhonicEventTypes.All.Order(StringComparer.Ordinal),
            ConversationProjections.All.Select(projection => projection.EventType).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_conversation_column_but_the_key_is_written_by_exactly_one_projection()
    {
        var written = ConversationProjections.All
            .SelectMany(projection => projection.Columns
                .Concat(projection.PayloadColumns.Select(column => column.Column))
                .Append(projection.VersionCreatedAt)
                .Append(projection.VersionSvixId))
            .Select(PropertyName)
            .ToList();

        var mapped = Model.FindEntityType(typeof(Conversation))!.GetProperties()
            .Where(property => !property.IsPrimaryKey())
            .Select(property => property.Name);
        Assert.Equal(mapped.Order(StringComparer.Ordinal), written.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Staged_fields_of_an_ended_conversation_are_named_after_the_columns_the_merge_reads()
    {
        var body = SamplePayloads.WithConversationId("conversation-ended.json", "conv_1");
        var update = PhonicEventParser.Parse(body, null).Update!;

        var fields = WriteFields(update);

        var merge = ConversationMerge.Instance;
        var statements = string.Join("\n", merge.Statements(new HashSet<ConversationProjection> { update.Projection }));
        Assert.Equal("agent_7f1c2d3e", fields.GetProperty("agent_id").GetString());
        Assert.Equal("+15550100001", fields.GetProperty("from_phone_number").GetString());
        foreach (var member in fields.EnumerateObject().Where(member => member.Name != ConversationMerge.ItemsMember))
        {
            Assert.Contains($"projected.{member.Name}", statements);
        }

        var toolCall = fields.GetProperty("items").EnumerateArray()
            .SelectMany(item => item.TryGetProperty("tool_calls", out var toolCalls) ? toolCalls.EnumerateArray() : [])
            .First();
        Assert.Contains("tool_call_id", toolCall.EnumerateObject().Select(member => member.Name));
        Assert.All(toolCall.EnumerateObject(), member => Assert.Contains($"tool_call.{member.Name}", statements));
    }

    [Fact]
    public void A_batch_of_one_event_type_runs_only_its_own_statements_without_the_lock()
    {
        var merge = ConversationMerge.Instance;
        var analysis = ConversationProjections.Find(PhonicEventTypes.ConversationAnalysis)!;
        var ended = ConversationProjections.Find(PhonicEventTypes.ConversationEnded)!;

        var analysisOnly = merge.Statements(new HashSet<ConversationProjection> { analysis }).ToList();
        var mixed = merge.Statements(new HashSet<ConversationProjection> { analysis, ended }).ToList();

        Assert.Single(analysisOnly);
        Assert.Contains("latencies_ms", analysisOnly[0]);
        Assert.Contains("WHERE false", mixed[0]);
        Assert.Contains(mixed, statement => statement.Contains("INSERT INTO tool_calls", StringComparison.Ordinal));
    }

    private static JsonElement WriteFields(ConversationUpdate update)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            ConversationMerge.Instance.WriteFields(writer, update);
        }

        return JsonDocument.Parse(buffer.WrittenMemory).RootElement;
    }

    private static string PropertyName(Expression<Func<Conversation, object?>> property) =>
        ((MemberExpression)(property.Body is UnaryExpression conversion ? conversion.Operand : property.Body)).Member.Name;
}
