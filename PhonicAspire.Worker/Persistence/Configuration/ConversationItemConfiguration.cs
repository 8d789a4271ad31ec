using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PhonicAspire.Worker.Persistence.Entities;

namespace PhonicAspire.Worker.Persistence.Configuration;

internal sealed class ConversationItemConfiguration : IEntityTypeConfiguration<ConversationItem>
{
    public void Configure(EntityTypeBuilder<ConversationItem> builder)
    {
        // No foreign key to conversations: only WebhookEventStore writes these tables, always together in one
        // transaction, and checking the key of every inserted item and tool call measurably slowed it.
        builder.HasKey(item => new { item.ConversationId, item.ItemIdx });
        builder.Property(item => item.ItemIdx).ValueGeneratedNever();
    }
}
