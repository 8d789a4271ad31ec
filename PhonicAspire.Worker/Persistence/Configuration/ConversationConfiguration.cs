using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PhonicAspire.Worker.Persistence.Entities;

namespace PhonicAspire.Worker.Persistence.Configuration;

internal sealed class ConversationConfiguration : IEntityTypeConfiguration<Conversation>
{
    public void Configure(EntityTypeBuilder<Conversation> builder)
    {
        builder.ToTable("conversations");
        builder.HasKey(conversation => conversation.Id);
        builder.Property(conversation => conversation.Details).HasColumnType("jsonb");
        builder.Property(conversation => conversation.TransferredItems).HasColumnType("jsonb");
        builder.HasMany(conversation => conversation.Items)
            .WithOne()
            .HasForeignKey(item => item.ConversationId)
            .OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(conversation => conversation.StartedAt);
        builder.HasIndex(conversation => conversation.AgentId);
    }
}
