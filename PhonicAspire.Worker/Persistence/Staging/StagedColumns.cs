using System.Linq.Expressions;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace PhonicAspire.Worker.Persistence.Staging;

/// <summary>Columns of one table, named and typed by the EF model, as a staged update carries them.</summary>
internal sealed class StagedColumns<TEntity>
{
    private readonly IEntityType _entityType;
    private readonly StoreObjectIdentifier _table;
    private readonly StagedColumn<TEntity>[] _columns;

    private StagedColumns(IEntityType entityType, IEnumerable<IProperty> properties)
    {
        _entityType = entityType;
        _table = StoreObjectIdentifier.Table(entityType.GetTableName()!);
        _columns = [.. properties.Select(property => StagedColumn<TEntity>.For(property, _table))];
    }

    public string Table => _table.Name;

    /// <summary>The columns, separated by commas, each after <paramref name="alias"/> when one is given.</summary>
    public string Names(string? alias = null) => string.Join(", ", _columns.Select(column => alias is null ? column.Name : $"{alias}.{column.Name}"));

    /// <summary><c>jsonb_to_record</c>'s column definition list.</summary>
    public string Definitions => string.Join(", ", _columns.Select(column => column.Definition));

    public IEnumerable<string> ColumnNames => _columns.Select(column => column.Name);

    /// <summary>One of the columns' definition, as <c>jsonb_to_record</c>'s column definition list wants it.</summary>
    public string DefinitionOf(Expression<Func<TEntity, object?>> property)
    {
        var name = ColumnOf(property);
        return _columns.Single(column => column.Name == name).Definition;
    }

    /// <summary>The column of another property of the same entity.</summary>
    public string ColumnOf(Expression<Func<TEntity, object?>> property) =>
        Property(_entityType, property).GetColumnName(_table)!;

    public void Write(Utf8JsonWriter writer, TEntity entity)
    {
        foreach (var column in _columns)
        {
            column.Write(writer, entity);
        }
    }

    public static StagedColumns<TEntity> Of(IModel model, IEnumerable<Expression<Func<TEntity, object?>>> properties)
    {
        var entityType = EntityType(model);
        return new StagedColumns<TEntity>(entityType, properties.Select(property => Property(entityType, property)));
    }

    /// <summary>Every column but the given ones, which the parent row supplies.</summary>
    public static StagedColumns<TEntity> AllBut(IModel model, params IEnumerable<Expression<Func<TEntity, object?>>> suppliedByParent)
    {
        var entityType = EntityType(model);
        var supplied = suppliedByParent.Select(property => Property(entityType, property)).ToHashSet();
        return new StagedColumns<TEntity>(entityType, entityType.GetProperties().Where(property => !supplied.Contains(property)));
    }

    private static IEntityType EntityType(IModel model) =>
        model.FindEntityType(typeof(TEntity)) ?? throw new InvalidOperationException($"{typeof(TEntity).Name} is not in the model.");

    private static IProperty Property(IEntityType entityType, Expression<Func<TEntity, object?>> property)
    {
        var body = property.Body is UnaryExpression { NodeType: ExpressionType.Convert } conversion ? conversion.Operand : property.Body;
        var name = body is MemberExpression member
            ? member.Member.Name
            : throw new ArgumentException($"{property} does not name a property.", nameof(property));
        return entityType.FindProperty(name) ?? throw new InvalidOperationException($"{typeof(TEntity).Name}.{name} is not mapped.");
    }
}
