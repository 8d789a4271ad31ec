using StackExchange.Redis;

namespace PhonicAspire.Worker.Draining;

/// <summary>
/// What one turn of the drain loop took from the stream. <see cref="HandledAlone"/>: an entry whose batches have
/// already taken workers down more than once, handled with nothing else of this subscription in flight (for a bounded
/// while), so that if it takes this worker down too, no other entry's delivery count rises with it.
/// </summary>
internal readonly record struct TakenEntries(StreamEntry[] Entries, bool HandledAlone = false)
{
    public static readonly TakenEntries None = new([]);
}
