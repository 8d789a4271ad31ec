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
        // A row too long to keep whole has these columns compressed first: lz4 costs a fraction of the default pglz
        // on this hot path.
        builder.Property(webhookEvent => webhookEvent.RawBody).UseCompressionMethod(CompressionMethods.Lz4);
        builder.Property(webhookEvent => webhookEvent.Payload).UseCompressionMethod(CompressionMethods.Lz4);
        // PostgreSQL moves values out of a row longer than about 2 kB into TOAST rows, each with an index entry, all
        // written and logged: the 2.6 kB conversation.ended sample's row, its two columns compressed, is 3.6 kB, and
        // its payload took two TOAST rows. A 4 kB target keeps such a row whole, two to a page; a row under 4 kB is
        // then not compressed either. Inserting 10,000 rows of one body into a table of these columns, bodies of
        // 1.5 to 12 kB (docs/benchmarks.md): 5-15% less time at each size; from 2.6 kB on, 7% less WAL and 7-15% less
        // room; at 1.5-1.9 kB (the documentation's sample is 1.7 kB), 8-13% more WAL and 34-58% more room. Phonic's
        // ended events with real transcripts are larger than its samples. Columns of storage MAIN instead (compressed
        // past 2 kB, moved out only past a page) saved less time.
        builder.HasStorageParameter("toast_tuple_target", 4096);
        builder.HasIndex(webhookEvent => webhookEvent.ConversationId);
        // For phonic requeue --from/--to. Rows arrive in about the order they were received, so a block range index
        // (a few pages of summary for the whole table) serves a range without an entry to write for every row on the
        // drain's path, as a B-tree would. A requeued event is written again at the table's end with its first
        // receipt time; with plain min/max summaries each such row would stretch its block range back to that time
        // for good, while the multi-min/max summaries keep it as an outlier of its own.
        builder.HasIndex(webhookEvent => webhookEvent.ReceivedAt).HasMethod("brin").HasOperators("timestamptz_minmax_multi_ops");
    }
}
