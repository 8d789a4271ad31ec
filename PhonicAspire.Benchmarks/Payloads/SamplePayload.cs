using System.Text;

namespace PhonicAspire.Benchmarks.Payloads;

/// <summary>
/// Phonic's <c>conversation.ended</c> sample (~2.6 KB) from the reference folder beside the repository
/// (<c>../shared/phonic/payloads</c>), found by walking up from where the benchmark runs.
/// </summary>
public sealed class SamplePayload(string json)
{
    private const string FileName = "conversation-ended.json";
    private const string SampleConversationId = "conv_0b6f3c1e-7d2a-4c55-9a10-2f3e4d5c6b7a";

    public byte[] Bytes { get; } = Encoding.UTF8.GetBytes(json);

    public static SamplePayload Load()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(directory.FullName, "shared", "phonic", "payloads", FileName);
                if (File.Exists(candidate))
                {
                    return new SamplePayload(File.ReadAllText(candidate, Encoding.UTF8));
                }
            }
        }

        throw new FileNotFoundException($"No shared/phonic/payloads/{FileName} above {Directory.GetCurrentDirectory()}.");
    }

    /// <summary>The same event for another conversation, so that stored events do not all update one row.</summary>
    public byte[] ForNewConversation() =>
        Encoding.UTF8.GetBytes(json.Replace(SampleConversationId, $"conv_{Guid.NewGuid()}", StringComparison.Ordinal));
}
