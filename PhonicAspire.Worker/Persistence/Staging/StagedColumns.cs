using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;

namespace PhonicAspire.Worker.Persistence.Staging;

/// <summary>Columns of one table, named and typed as <see cref="StoreMapping"/> maps them, as a staged update carries them.</summary>
internal sealed class StagedColumns<TEntity>
{
    private readonly StagedColumn<TEntity>[] _columns;

    private StagedColumns(IEnumerable<PropertyInfo> properties) => _columns = [.. properties.Select(StagedColumn<TEntity>.For)];

    public string Table { get; } = StoreMapping.Table(typeof(TEntity));

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
    public string ColumnOf(Expression<Func<TEntity, object?>> property) => StoreMapping.Column(property);

    public void Write(Utf8JsonWriter writer, TEntity entity)
    {
        foreach (var column in _columns)
        {
            column.Write(writer, entity);
        }
    }

    public static StagedColumns<TEntity> Of(IEnumerable<Expression<Func<TEntity, object?>>> properties) =>
        new(properties.Select(StoreMapping.Property));

    /// <summary>Every column but the given ones, which the parent row supplies.</summary>
    public static StagedColumns<TEntity> AllBut(params IEnumerable<Expression<Func<TEntity, object?>>> suppliedByParent)
    {
        var supplied = suppliedByParent.Select(StoreMapping.Property).ToHashSet();
        return new(StoreMapping.Properties<TEntity>().Where(property => !supplied.Contains(property)));
    }
}
