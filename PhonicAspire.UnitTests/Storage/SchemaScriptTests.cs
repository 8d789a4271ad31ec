using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using PhonicAspire.Worker.Persistence;

namespace PhonicAspire.UnitTests.Storage;

/// <summary>The script the worker runs is the one the EF migrations generate, and the migrations describe the model.</summary>
public sealed class SchemaScriptTests
{
    private const string Regenerate =
        "dotnet tool restore && dotnet ef migrations script --idempotent --no-transactions -p PhonicAspire.Worker -o PhonicAspire.Worker/Persistence/Migrations/schema.sql";

    [Fact]
    public void The_embedded_schema_script_is_what_the_migrations_generate()
    {
        using var context = new DesignTimePhonicDbContextFactory().CreateDbContext([]);
        var generated = context.GetService<IMigrator>().GenerateScript(
            options: MigrationsSqlGenerationOptions.Idempotent | MigrationsSqlGenerationOptions.NoTransactions);

        Assert.True(
            Normalized(generated) == Normalized(SchemaScript.Sql),
            $"Persistence/Migrations/schema.sql is not what the migrations generate; regenerate it: {Regenerate}");
    }

    [Fact]
    public void The_model_has_no_changes_without_a_migration()
    {
        using var context = new DesignTimePhonicDbContextFactory().CreateDbContext([]);

        Assert.False(
            context.Database.HasPendingModelChanges(),
            "The EF model differs from the last migration: add one (dotnet ef migrations add <Name> -p PhonicAspire.Worker -o Persistence/Migrations), then regenerate schema.sql.");
    }

    private static string Normalized(string script) => script.Replace("\r\n", "\n", StringComparison.Ordinal).Trim();
}
