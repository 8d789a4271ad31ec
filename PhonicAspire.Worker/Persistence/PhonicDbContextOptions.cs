using Microsoft.EntityFrameworkCore;

namespace PhonicAspire.Worker.Persistence;

/// <summary>The options every <see cref="PhonicDbContext"/> needs, at design time and in the tests that read through it.</summary>
internal static class PhonicDbContextOptions
{
    public static DbContextOptionsBuilder ApplyPhonicConventions(this DbContextOptionsBuilder options) =>
        options.UseSnakeCaseNamingConvention();
}
