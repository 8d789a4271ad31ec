using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PhonicAspire.Worker.Persistence.Entities;

namespace PhonicAspire.Worker.Persistence.Configuration;

internal sealed class ConversationItemConfiguration : IEntityTypeConfiguration<ConversationItem>
{
    public void Configure(EntityTypeBuilder<ConversationItem> builder)
    {
        builder.ToTable("conversation_items");
        builder.HasKey(item => new { item.ConversationId, item.ItemIdx });
        builder.Property(item => item.ItemIdx).ValueGeneratedNever();
        // Deleting an item (when a newer conversation.ended replaces them) takes its tool calls with it.
        builder.HasMany(item => item.ToolCalls)
            .WithOne()
            .HasForeignKey(toolCall => new { toolCall.ConversationId, toolCall.ItemIdx })
            .OnDelete(DeleteBehavior.Cascade);
    }
}
