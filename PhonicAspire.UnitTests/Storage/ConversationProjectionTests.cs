using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using PhonicAspire.Webhooks;
using PhonicAspire.Worker.Persistence;
using PhonicAspire.Worker.Persistence.Entities;
using PhonicAspire.Worker.Persistence.Staging;
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

    private static string PropertyName(Expression<Func<Conversation, object?>> property) =>
        ((MemberExpression)(property.Body is UnaryExpression conversion ? conversion.Operand : property.Body)).Member.Name;
}
