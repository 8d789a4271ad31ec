using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using PhonicAspire.WebhookApi.Configuration;
using PhonicAspire.WebhookApi.Receiving;

namespace PhonicAspire.UnitTests.WebhookApi;

public sealed class WebhookBodyReaderTests
{
    private const int MaxBodyBytes = 2 * 1024 * 1024;
    private const long MaxInFlightBodyBytes = 8 * 1024 * 1024;

    // A body one byte past a power of two takes a pooled buffer of the next one, twice its size; a body of exactly the
    // limit, announced or not, once took a buffer one byte larger still, to see the end, which the pool made twice the limit.
    [Theory]
    [InlineData(1024 * 1024 + 1, true)]
    [InlineData(MaxBodyBytes, true)]
    [InlineData(1024 * 1024 + 1, false)]
    [InlineData(MaxBodyBytes, false)]
    public async Task Bodies_held_at_once_never_take_more_buffer_beyond_their_allowance_than_the_in_flight_budget(int bodyBytes, bool announced)
    {
        var reader = Reader();
        var content = Content(bodyBytes);
        var held = new List<WebhookBody>();
        try
        {
            for (var attempt = 0; attempt < 64; attempt++)
            {
                var read = await reader.ReadAsync(Request(content, announced), CancellationToken.None);
                if (read.Refusal == BodyRefusal.OverBudget)
                {
                    break;
                }

                var body = Assert.IsType<WebhookBody>(read.Body);
                held.Add(body);
                Assert.Equal(content, body.Memory.ToArray());
            }

            Assert.InRange(held.Count, 1, 63);
            var buffered = held.Sum(body => Math.Max(0L, BufferLength(body) - InFlightBodyBudget.Allowance));
            Assert.True(
                buffered <= MaxInFlightBodyBytes,
                $"{held.Count} bodies of {bodyBytes:N0} bytes hold {buffered:N0} bytes of buffer beyond their allowances, over the budget of {MaxInFlightBodyBytes:N0}");
        }
        finally
        {
            held.ForEach(body => body.Release());
        }
    }

    [Fact]
    public async Task A_body_that_announced_nothing_is_refused_as_too_large_one_byte_past_the_limit()
    {
        var read = await Reader().ReadAsync(Request(Content(MaxBodyBytes + 1), announced: false), CancellationToken.None);

        Assert.Null(read.Body);
        Assert.Equal(BodyRefusal.TooLarge, read.Refusal);
    }

    [Fact]
    public async Task An_empty_body_is_read_as_empty()
    {
        var read = await Reader().ReadAsync(Request([], announced: true), CancellationToken.None);

        var body = Assert.IsType<WebhookBody>(read.Body);
        Assert.Equal(0, body.Memory.Length);
        body.Release();
    }

    private static WebhookBodyReader Reader()
    {
        var options = Options.Create(new WebhookOptions { MaxBodyBytes = MaxBodyBytes, MaxInFlightBodyBytes = MaxInFlightBodyBytes });
        return new WebhookBodyReader(options, new InFlightBodyBudget(options));
    }

    private static byte[] Content(int bytes)
    {
        var content = new byte[bytes];
        new Random(bytes).NextBytes(content);
        return content;
    }

    private static HttpRequest Request(byte[] content, bool announced)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(content, writable: false);
        context.Request.ContentLength = announced ? content.Length : null;
        return context.Request;
    }

    private static int BufferLength(WebhookBody body) =>
        MemoryMarshal.TryGetArray(body.Memory, out var segment) ? segment.Array!.Length : throw new InvalidOperationException("the body is not in an array");
}
