namespace PhonicAspire.Worker.Persistence;

/// <summary>PostgreSQL's names for its TOAST compression methods.</summary>
internal static class CompressionMethods
{
    public const string Lz4 = "lz4";
}
