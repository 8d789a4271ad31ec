using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PhonicAspire.Worker.Persistence.Entities;

namespace PhonicAspire.Worker.Persistence.Configuration;

internal sealed class WebhookEventConfiguration : IEntityTypeConfiguration<WebhookEvent>
{
    public void Configure(EntityTypeBuilder<WebhookEvent> builder)
    {
        // The svix id is the delivery's identity: retries carry the same one, so it is the key that makes storing idempotent.
        builder.HasKey(webhookEvent => webhookEvent.SvixId);
        // Bodies are a few kilobytes, above the size PostgreSQL compresses at: lz4 costs a fraction of the
        // default pglz on this hot path.
        builder.Property(webhookEvent => webhookEvent.RawBody).UseCompressionMethod(CompressionMethods.Lz4);
        builder.Property(webhookEvent => webhookEvent.Payload).UseCompressionMethod(CompressionMethods.Lz4);
        builder.HasIndex(webhookEvent => webhookEvent.ConversationId);
    }
}
