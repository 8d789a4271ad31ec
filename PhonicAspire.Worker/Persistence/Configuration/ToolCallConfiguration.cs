using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PhonicAspire.Worker.Persistence.Entities;

namespace PhonicAspire.Worker.Persistence.Configuration;

internal sealed class ToolCallConfiguration : IEntityTypeConfiguration<ToolCall>
{
    public void Configure(EntityTypeBuilder<ToolCall> builder)
    {
        builder.HasKey(toolCall => new { toolCall.ConversationId, toolCall.ItemIdx, toolCall.CallIdx });
        builder.Property(toolCall => toolCall.ItemIdx).ValueGeneratedNever();
        builder.Property(toolCall => toolCall.CallIdx).ValueGeneratedNever();
        builder.HasIndex(toolCall => toolCall.ToolName);
    }
}
