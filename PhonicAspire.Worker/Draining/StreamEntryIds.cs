namespace PhonicAspire.Worker.Draining;

/// <summary>Stream entry ids the drain loop starts from.</summary>
public static class StreamEntryIds
{
    /// <summary>Before every entry: where a scan of the stream or its pending entries starts, and ends.</summary>
    public const string Start = "0-0";
}
