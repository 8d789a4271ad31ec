using System.Reflection;
using System.Text.Json;

namespace PhonicAspire.Worker.Persistence.Staging;

/// <summary>
/// One entity property as a staged update carries it: a JSON member named after its column, read back by
/// <c>jsonb_to_record</c> with the column's store type. Name and type come from <see cref="StoreMapping"/>, and the
/// value is read through a typed delegate of the property's getter, so writing a row boxes nothing.
/// </summary>
internal sealed class StagedColumn<TEntity>
{
    private readonly Action<Utf8JsonWriter, TEntity> _write;

    private StagedColumn(string name, string storeType, Action<Utf8JsonWriter, TEntity> write)
    {
        Name = name;
        StoreType = storeType;
        _write = write;
    }

    public string Name { get; }

    public string StoreType { get; }

    /// <summary>The column and its type, as <c>jsonb_to_record</c>'s column definition list wants them.</summary>
    public string Definition => $"{Name} {StoreType}";

    /// <summary>Writes the value as a member of the current object; an absent value is left out and read back as NULL.</summary>
    public void Write(Utf8JsonWriter writer, TEntity entity) => _write(writer, entity);

    public static StagedColumn<TEntity> For(PropertyInfo property)
    {
        var name = StoreMapping.Column(property);
        var storeType = StoreMapping.StoreType(property);
        var json = JsonEncodedText.Encode(name);
        var type = property.PropertyType;
        Action<Utf8JsonWriter, TEntity>? write =
            type == typeof(string) && storeType == "jsonb" ? WhenSet<string>(property, (writer, text) => { writer.WritePropertyName(json); writer.WriteRawValue(text, skipInputValidation: true); })
            : type == typeof(string) ? WhenSet<string>(property, (writer, text) => writer.WriteString(json, text))
            : type == typeof(int) ? Always<int>(property, (writer, number) => writer.WriteNumber(json, number))
            : type == typeof(int?) ? WhenHasValue<int>(property, (writer, number) => writer.WriteNumber(json, number))
            : type == typeof(double?) ? WhenHasValue<double>(property, (writer, number) => writer.WriteNumber(json, number))
            : type == typeof(bool?) ? WhenHasValue<bool>(property, (writer, flag) => writer.WriteBoolean(json, flag))
            : type == typeof(DateTimeOffset?) ? WhenHasValue<DateTimeOffset>(property, (writer, timestamp) => writer.WriteString(json, timestamp))
            : type == typeof(string[]) ? WhenSet<string[]>(property, (writer, texts) => WriteArray(writer, json, texts))
            : type == typeof(double?[]) ? WhenSet<double?[]>(property, (writer, numbers) => WriteArray(writer, json, numbers))
            : null;
        return new StagedColumn<TEntity>(
            name,
            storeType,
            write ?? throw new NotSupportedException(
                $"{typeof(TEntity).Name}.{property.Name} is a {type.Name}, which staged updates cannot carry yet; teach {nameof(StagedColumn<>)} its JSON form."));
    }

    private static Action<Utf8JsonWriter, TEntity> Always<T>(PropertyInfo property, Action<Utf8JsonWriter, T> write)
    {
        var get = Getter<T>(property);
        return (writer, entity) => write(writer, get(entity));
    }

    private static Action<Utf8JsonWriter, TEntity> WhenSet<T>(PropertyInfo property, Action<Utf8JsonWriter, T> write)
        where T : class
    {
        var get = Getter<T?>(property);
        return (writer, entity) =>
        {
            if (get(entity) is { } value)
            {
                write(writer, value);
            }
        };
    }

    private static Action<Utf8JsonWriter, TEntity> WhenHasValue<T>(PropertyInfo property, Action<Utf8JsonWriter, T> write)
        where T : struct
    {
        var get = Getter<T?>(property);
        return (writer, entity) =>
        {
            if (get(entity) is { } value)
            {
                write(writer, value);
            }
        };
    }

    // The getter itself, called through a delegate: no expression to compile, and no boxing.
    private static Func<TEntity, T> Getter<T>(PropertyInfo property) => property.GetMethod!.CreateDelegate<Func<TEntity, T>>();

    private static void WriteArray(Utf8JsonWriter writer, JsonEncodedText name, string[] texts)
    {
        writer.WriteStartArray(name);
        foreach (var text in texts)
        {
            writer.WriteStringValue(text);
        }

        writer.WriteEndArray();
    }

    // An entry that is not a number stays as null so that positions keep their meaning.
    private static void WriteArray(Utf8JsonWriter writer, JsonEncodedText name, double?[] numbers)
    {
        writer.WriteStartArray(name);
        foreach (var number in numbers)
        {
            if (number is { } value)
            {
                writer.WriteNumberValue(value);
            }
            else
            {
                writer.WriteNullValue();
            }
        }

        writer.WriteEndArray();
    }
}
