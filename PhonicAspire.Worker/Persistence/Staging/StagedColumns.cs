using System.Linq.Expressions;
using System.Reflection;

namespace PhonicAspire.Worker.Persistence.Staging;

/// <summary>Columns of one table, named and typed as <see cref="StoreMapping"/> maps them, as a staging table carries them.</summary>
internal sealed class StagedColumns<TEntity>
{
    private readonly StagedColumn<TEntity>[] _columns;

    private StagedColumns(IEnumerable<PropertyInfo> properties) => _columns = [.. properties.Select(StagedColumn<TEntity>.For)];

    public string Table { get; } = StoreMapping.Table(typeof(TEntity));

    /// <summary>The columns, separated by commas, each after <paramref name="alias"/> when one is given.</summary>
    public string Names(string? alias = null) => string.Join(", ", _columns.Select(column => alias is null ? column.Name : $"{alias}.{column.Name}"));

    /// <summary>The columns, each named after <paramref name="prefix"/>, separated by commas.</summary>
    public string PrefixedNames(string prefix) => string.Join(", ", _columns.Select(column => prefix + column.Name));

    /// <summary>The columns named after <paramref name="prefix"/>, each under its own name again, for a select list.</summary>
    public string Unprefixed(string prefix) => string.Join(", ", _columns.Select(column => $"{prefix}{column.Name} AS {column.Name}"));

    /// <summary>
    /// The columns' definitions for a staging table, each named after <paramref name="prefix"/>. Values that may be
    /// long (a row past 2 kB is compressed) use lz4 rather than the default pglz, as the staged JSON did: with pglz,
    /// compressing it was the merge's costliest single function in PostgreSQL.
    /// </summary>
    public string Definitions(string prefix) => string.Join(", ", _columns.Select(column =>
        column.StoreType is "text" or "jsonb" || column.StoreType.EndsWith("[]", StringComparison.Ordinal)
            ? $"{prefix}{column.Definition} COMPRESSION lz4"
            : prefix + column.Definition));

    public IEnumerable<string> ColumnNames => _columns.Select(column => column.Name);

    /// <summary>The column of another property of the same entity.</summary>
    public string ColumnOf(Expression<Func<TEntity, object?>> property) => StoreMapping.Column(property);

    public int Count => _columns.Length;

    /// <summary>Writes the entity's values as the row's next columns, in the order of <see cref="Names"/>.</summary>
    public void Write(BinaryCopyRows rows, TEntity entity)
    {
        foreach (var column in _columns)
        {
            column.Write(rows, entity);
        }
    }

    public static StagedColumns<TEntity> Of(IEnumerable<Expression<Func<TEntity, object?>>> properties) =>
        new(properties.Select(StoreMapping.Property).Distinct());

    /// <summary>Every column but the given ones, which the parent row supplies.</summary>
    public static StagedColumns<TEntity> AllBut(params IEnumerable<Expression<Func<TEntity, object?>>> suppliedByParent)
    {
        var supplied = suppliedByParent.Select(StoreMapping.Property).ToHashSet();
        return new(StoreMapping.Properties<TEntity>().Where(property => !supplied.Contains(property)));
    }
}
