using Microsoft.EntityFrameworkCore;
using PhonicAspire.Worker.Persistence.Entities;

namespace PhonicAspire.Worker.Persistence;

/// <summary>
/// The worker's database. Table and column names are a contract with reporting, so they are pinned by the
/// snake_case convention (configured where the context is registered) and the checked-in migrations.
/// </summary>
public sealed class PhonicDbContext(DbContextOptions<PhonicDbContext> options) : DbContext(options)
{
    public DbSet<WebhookEvent> WebhookEvents => Set<WebhookEvent>();
    public DbSet<Conversation> Conversations => Set<Conversation>();
    public DbSet<ConversationItem> ConversationItems => Set<ConversationItem>();
    public DbSet<ToolCall> ToolCalls => Set<ToolCall>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(PhonicDbContext).Assembly);
}
