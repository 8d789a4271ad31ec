using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using PhonicAspire.Worker.Persistence;
using PhonicAspire.Worker.Persistence.Staging;

namespace PhonicAspire.UnitTests.Storage;

/// <summary>What the worker works out without EF Core is what the EF model, and so the schema, says.</summary>
public sealed class StoreMappingTests
{
    private static readonly IModel Model = new DesignTimePhonicDbContextFactory().CreateDbContext([]).Model;

    public static TheoryData<string> EntityTypes => [.. Model.GetEntityTypes().Select(entityType => entityType.ClrType.Name)];

    [Theory]
    [MemberData(nameof(EntityTypes))]
    public void Every_property_has_the_table_column_and_store_type_of_the_model(string entityName)
    {
        var entityType = Model.GetEntityTypes().Single(entityType => entityType.ClrType.Name == entityName);
        Assert.Equal(entityType.GetTableName(), StoreMapping.Table(entityType.ClrType));
        var expected = entityType.GetProperties().Select(property => (property.Name, property.GetColumnName(), property.GetColumnType()));
        var worked = entityType.GetProperties().Select(property =>
            (property.Name, StoreMapping.Column(property.PropertyInfo!), StoreMapping.StoreType(property.PropertyInfo!)));
        Assert.Equal(expected, worked);
    }

    [Fact]
    public void The_model_maps_every_public_property_of_its_entities()
    {
        foreach (var entityType in Model.GetEntityTypes())
        {
            Assert.Equal(
                entityType.GetProperties().Select(property => property.Name).Order(StringComparer.Ordinal),
                entityType.ClrType.GetProperties().Select(property => property.Name).Order(StringComparer.Ordinal));
        }
    }
}
