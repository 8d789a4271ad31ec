using System.Reflection;

namespace PhonicAspire.Worker.Persistence.Staging;

/// <summary>
/// One entity property as a staging table carries it: a column of the same name and store type, written in binary
/// COPY's format (<see cref="BinaryCopyRows"/>). Name and type come from <see cref="StoreMapping"/>, and the value is
/// read through a typed delegate of the property's getter, so writing a row boxes nothing.
/// </summary>
internal sealed class StagedColumn<TEntity>
{
    private readonly Action<BinaryCopyRows, TEntity> _write;

    private StagedColumn(string name, string storeType, Action<BinaryCopyRows, TEntity> write)
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
    public void Write(BinaryCopyRows rows, TEntity entity) => _write(rows, entity);

    public static StagedColumn<TEntity> For(PropertyInfo property)
    {
        var name = StoreMapping.Column(property);
        var storeType = StoreMapping.StoreType(property);
        var type = property.PropertyType;
        var write =
            type == typeof(string) && storeType == "jsonb" ? WhenSet<string>(property, (rows, json) => rows.Jsonb(json))
            : type == typeof(string) ? WhenSet<string>(property, (rows, text) => rows.Text(text))
            : type == typeof(int) ? Always<int>(property, (rows, number) => rows.Int32(number))
            : type == typeof(int?) ? WhenHasValue<int>(property, (rows, number) => rows.Int32(number))
            : type == typeof(double?) ? WhenHasValue<double>(property, (rows, number) => rows.Double(number))
            : type == typeof(bool?) ? WhenHasValue<bool>(property, (rows, flag) => rows.Boolean(flag))
            : type == typeof(DateTimeOffset?) ? WhenHasValue<DateTimeOffset>(property, (rows, timestamp) => rows.Timestamp(timestamp))
            : type == typeof(string[]) ? WhenSet<string[]>(property, (rows, texts) => rows.TextArray(texts))
            // An entry that is not a number is a NULL entry, so that positions keep their meaning.
            : type == typeof(double?[]) ? WhenSet<double?[]>(property, (rows, numbers) => rows.DoubleArray(numbers))
            : null;
        return new StagedColumn<TEntity>(
            name,
            storeType,
            write ?? throw new NotSupportedException(
                $"{typeof(TEntity).Name}.{property.Name} is a {type.Name}, which staging tables cannot carry yet; teach {nameof(StagedColumn<>)} and {nameof(BinaryCopyRows)} its binary form."));
    }

    private static Action<BinaryCopyRows, TEntity> Always<T>(PropertyInfo property, Action<BinaryCopyRows, T> write)
    {
        var get = Getter<T>(property);
        return (rows, entity) => write(rows, get(entity));
    }

    private static Action<BinaryCopyRows, TEntity> WhenSet<T>(PropertyInfo property, Action<BinaryCopyRows, T> write)
        where T : class
    {
        var get = Getter<T?>(property);
        return (rows, entity) =>
        {
            if (get(entity) is { } value)
            {
                write(rows, value);
            }
            else
            {
                rows.Null();
            }
        };
    }

    private static Action<BinaryCopyRows, TEntity> WhenHasValue<T>(PropertyInfo property, Action<BinaryCopyRows, T> write)
        where T : struct
    {
        var get = Getter<T?>(property);
        return (rows, entity) =>
        {
            if (get(entity) is { } value)
            {
                write(rows, value);
            }
            else
            {
                rows.Null();
            }
        };
    }

    // The getter itself, called through a delegate: no expression to compile, and no boxing.
    private static Func<TEntity, T> Getter<T>(PropertyInfo property) => property.GetMethod!.CreateDelegate<Func<TEntity, T>>();
}
