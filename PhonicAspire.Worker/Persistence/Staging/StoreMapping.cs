using System.ComponentModel.DataAnnotations.Schema;
using System.Linq.Expressions;
using System.Reflection;
using System.Text;

namespace PhonicAspire.Worker.Persistence.Staging;

/// <summary>
/// Where the entities' properties are stored, as the EF model maps them: tables named by <c>[Table]</c>, columns by
/// the snake_case naming convention, store types by the CLR type or by <c>[Column(TypeName = …)]</c> where a string
/// holds JSON. Worked out from the entity classes so that the worker needs no EF Core at run time (see
/// <see cref="SchemaScript"/>); <c>StoreMappingTests</c> compares every property with the model.
/// </summary>
internal static class StoreMapping
{
    public static string Table(Type entity) =>
        entity.GetCustomAttribute<TableAttribute>()?.Name
        ?? throw new InvalidOperationException($"{entity.Name} names no table ([Table]).");

    public static IEnumerable<PropertyInfo> Properties<TEntity>() => typeof(TEntity).GetProperties(BindingFlags.Public | BindingFlags.Instance);

    public static string Column(PropertyInfo property)
    {
        var name = property.Name;
        var column = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            // A word starts at a capital after a small letter or digit, or at the last capital of a run before a small letter.
            if (i > 0 && char.IsUpper(name[i])
                && (!char.IsUpper(name[i - 1]) || i + 1 < name.Length && char.IsLower(name[i + 1])))
            {
                column.Append('_');
            }

            column.Append(char.ToLowerInvariant(name[i]));
        }

        return column.ToString();
    }

    public static string Column<TEntity>(Expression<Func<TEntity, object?>> property) => Column(Property(property));

    public static string StoreType(PropertyInfo property)
    {
        if (property.GetCustomAttribute<ColumnAttribute>()?.TypeName is { } declared)
        {
            return declared;
        }

        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        return type == typeof(byte[]) ? "bytea"
            : type.IsArray ? $"{ScalarStoreType(type.GetElementType()!, property)}[]" : ScalarStoreType(type, property);
    }

    public static PropertyInfo Property<TEntity>(Expression<Func<TEntity, object?>> property)
    {
        var body = property.Body is UnaryExpression { NodeType: ExpressionType.Convert } conversion ? conversion.Operand : property.Body;
        return body is MemberExpression { Member: PropertyInfo member }
            ? typeof(TEntity).GetProperty(member.Name)!
            : throw new ArgumentException($"{property} does not name a property.", nameof(property));
    }

    private static string ScalarStoreType(Type type, PropertyInfo property)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type == typeof(string) ? "text"
            : type == typeof(int) ? "integer"
            : type == typeof(double) ? "double precision"
            : type == typeof(bool) ? "boolean"
            : type == typeof(DateTimeOffset) ? "timestamp with time zone"
            : throw new NotSupportedException($"{property.DeclaringType!.Name}.{property.Name} is a {property.PropertyType.Name}, whose store type {nameof(StoreMapping)} does not know yet.");
    }
}
