using System.Reflection;
using Npgsql;
using NpgsqlTypes;

namespace PhonicAspire.Worker.Persistence.Staging;

/// <summary>
/// One entity property as a staging table carries it: a column of the same name and store type, written by binary
/// COPY. Name and type come from <see cref="StoreMapping"/>, and the value is read through a typed delegate of the
/// property's getter, so writing a row boxes nothing.
/// </summary>
internal sealed class StagedColumn<TEntity>
{
    private readonly Func<NpgsqlBinaryImporter, TEntity, CancellationToken, Task> _write;

    private StagedColumn(string name, string storeType, Func<NpgsqlBinaryImporter, TEntity, CancellationToken, Task> write)
    {
        Name = name;
        StoreType = storeType;
        _write = write;
    }

    public string Name { get; }

    public string StoreType { get; }

    /// <summary>The column and its type, as a table definition wants them.</summary>
    public string Definition => $"{Name} {StoreType}";

    /// <summary>Writes the value as the row's next column; an absent value as NULL.</summary>
    public Task WriteAsync(NpgsqlBinaryImporter importer, TEntity entity, CancellationToken cancellationToken) =>
        _write(importer, entity, cancellationToken);

    public static StagedColumn<TEntity> For(PropertyInfo property)
    {
        var name = StoreMapping.Column(property);
        var storeType = StoreMapping.StoreType(property);
        var type = property.PropertyType;
        var write =
            type == typeof(string) && storeType == "jsonb" ? WhenSet<string>(property, NpgsqlDbType.Jsonb)
            : type == typeof(string) ? WhenSet<string>(property, NpgsqlDbType.Text)
            : type == typeof(int) ? Always<int>(property, NpgsqlDbType.Integer)
            : type == typeof(int?) ? WhenHasValue<int>(property, NpgsqlDbType.Integer)
            : type == typeof(double?) ? WhenHasValue<double>(property, NpgsqlDbType.Double)
            : type == typeof(bool?) ? WhenHasValue<bool>(property, NpgsqlDbType.Boolean)
            : type == typeof(DateTimeOffset?) ? WhenHasValue<DateTimeOffset>(property, NpgsqlDbType.TimestampTz)
            : type == typeof(string[]) ? WhenSet<string[]>(property, NpgsqlDbType.Array | NpgsqlDbType.Text)
            // An entry that is not a number is a NULL entry, so that positions keep their meaning.
            : type == typeof(double?[]) ? WhenSet<double?[]>(property, NpgsqlDbType.Array | NpgsqlDbType.Double)
            : null;
        return new StagedColumn<TEntity>(
            name,
            storeType,
            write ?? throw new NotSupportedException(
                $"{typeof(TEntity).Name}.{property.Name} is a {type.Name}, which staging tables cannot carry yet; teach {nameof(StagedColumn<>)} its PostgreSQL type."));
    }

    private static Func<NpgsqlBinaryImporter, TEntity, CancellationToken, Task> Always<T>(PropertyInfo property, NpgsqlDbType type)
    {
        var get = Getter<T>(property);
        return (importer, entity, cancellationToken) => importer.WriteAsync(get(entity), type, cancellationToken);
    }

    private static Func<NpgsqlBinaryImporter, TEntity, CancellationToken, Task> WhenSet<T>(PropertyInfo property, NpgsqlDbType type)
        where T : class
    {
        var get = Getter<T?>(property);
        return (importer, entity, cancellationToken) => get(entity) is { } value
            ? importer.WriteAsync(value, type, cancellationToken)
            : importer.WriteNullAsync(cancellationToken);
    }

    private static Func<NpgsqlBinaryImporter, TEntity, CancellationToken, Task> WhenHasValue<T>(PropertyInfo property, NpgsqlDbType type)
        where T : struct
    {
        var get = Getter<T?>(property);
        return (importer, entity, cancellationToken) => get(entity) is { } value
            ? importer.WriteAsync(value, type, cancellationToken)
            : importer.WriteNullAsync(cancellationToken);
    }

    // The getter itself, called through a delegate: no expression to compile, and no boxing.
    private static Func<TEntity, T> Getter<T>(PropertyInfo property) => property.GetMethod!.CreateDelegate<Func<TEntity, T>>();
}
