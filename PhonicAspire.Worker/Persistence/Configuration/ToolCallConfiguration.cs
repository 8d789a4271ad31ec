using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PhonicAspire.Worker.Persistence.Entities;

namespace PhonicAspire.Worker.Persistence.Configuration;

internal sealed class ToolCallConfiguration : IEntityTypeConfiguration<ToolCall>
{
    public void Configure(EntityTypeBuilder<ToolCall> builder)
    {
        builder.ToTable("tool_calls");
        builder.HasKey(toolCall => new { toolCall.ConversationId, toolCall.ItemIdx, toolCall.CallIdx });
        builder.Property(toolCall => toolCall.ItemIdx).ValueGeneratedNever();
        builder.Property(toolCall => toolCall.CallIdx).ValueGeneratedNever();
        builder.Property(toolCall => toolCall.RequestBody).HasColumnType("jsonb");
        builder.Property(toolCall => toolCall.ResponseBody).HasColumnType("jsonb");
        builder.Property(toolCall => toolCall.EndpointHeaders).HasColumnType("jsonb");
        builder.Property(toolCall => toolCall.QueryParams).HasColumnType("jsonb");
        builder.HasIndex(toolCall => toolCall.ToolName);
    }
}
