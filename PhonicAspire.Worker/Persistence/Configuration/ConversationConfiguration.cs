using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PhonicAspire.Worker.Persistence.Entities;

namespace PhonicAspire.Worker.Persistence.Configuration;

internal sealed class ConversationConfiguration : IEntityTypeConfiguration<Conversation>
{
    public void Configure(EntityTypeBuilder<Conversation> builder)
    {
        builder.HasKey(conversation => conversation.Id);
        builder.Property(conversation => conversation.Details).UseCompressionMethod(CompressionMethods.Lz4);
        builder.HasIndex(conversation => conversation.StartedAt);
        builder.HasIndex(conversation => conversation.AgentId);
    }
}
