using Microsoft.EntityFrameworkCore;

namespace PhonicAspire.Worker.Persistence;

/// <summary>The options every <see cref="PhonicDbContext"/> needs, at run time and at design time alike.</summary>
internal static class PhonicDbContextOptions
{
    public static DbContextOptionsBuilder ApplyPhonicConventions(this DbContextOptionsBuilder options) =>
        options.UseSnakeCaseNamingConvention();
}
