using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace PhonicAspire.Worker.Persistence;

/// <summary>
/// Lets <c>dotnet ef</c> build the model without the Aspire host. Creating a migration never connects, so the
/// connection string only has to be well formed; set PHONICDB_CONNECTION to run <c>dotnet ef database update</c>.
/// </summary>
internal sealed class DesignTimePhonicDbContextFactory : IDesignTimeDbContextFactory<PhonicDbContext>
{
    public PhonicDbContext CreateDbContext(string[] args)
    {
        var connectionString = Environment.GetEnvironmentVariable("PHONICDB_CONNECTION")
            ?? "Host=localhost;Database=phonicdb;Username=postgres";
        var options = new DbContextOptionsBuilder<PhonicDbContext>()
            .UseNpgsql(connectionString)
            .ApplyPhonicConventions();
        return new PhonicDbContext((DbContextOptions<PhonicDbContext>)options.Options);
    }
}
