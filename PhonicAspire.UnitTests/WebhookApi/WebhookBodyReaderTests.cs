using System.IO.Pipelines;
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
        var held = await HoldUntilRefusedAsync(reader, content, announced);
        try
        {
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

        // What the bodies and the refusal reserved is all given back: as many get in again.
        var again = await HoldUntilRefusedAsync(reader, content, announced);
        again.ForEach(body => body.Release());
        Assert.Equal(held.Count, again.Count);
    }

    [Fact]
    public async Task Bodies_disposed_neither_released_nor_abandoned_give_back_their_share_of_the_budget()
    {
        var reader = Reader();
        var content = Content(1024 * 1024 + 1);
        var held = await HoldUntilRefusedAsync(reader, content, announced: true);
        held.ForEach(body => body.Dispose());

        var again = await HoldUntilRefusedAsync(reader, content, announced: true);
        again.ForEach(body => body.Release());
        Assert.Equal(held.Count, again.Count);
    }

    // Announced as 1 MiB + 1, the body ends in a 2 MiB buffer: reserving only its length at first, it had to take the
    // rest at its last growth, from a budget the others had taken meanwhile.
    [Fact]
    public async Task A_body_let_in_on_its_announced_length_is_not_refused_halfway_once_others_take_the_rest_of_the_budget()
    {
        var reader = Reader();
        var content = Content(1024 * 1024 + 1);
        var arriving = new Pipe(new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0));
        var context = new DefaultHttpContext();
        context.Request.Body = arriving.Reader.AsStream();
        context.Request.ContentLength = content.Length;
        await arriving.Writer.WriteAsync(content.AsMemory(0, 512 * 1024));
        var reading = reader.ReadAsync(context.Request, CancellationToken.None);

        var others = await HoldUntilRefusedAsync(reader, Content(128 * 1024 + 1), announced: false);
        BodyReadResult read;
        try
        {
            await arriving.Writer.WriteAsync(content.AsMemory(512 * 1024));
            await arriving.Writer.CompleteAsync();
            read = await reading.WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            others.ForEach(body => body.Release());
        }

        Assert.Equal(BodyRefusal.None, read.Refusal);
        Assert.Equal(content, Assert.IsType<WebhookBody>(read.Body).Memory.ToArray());
        read.Body.Release();
    }

    [Fact]
    public async Task A_body_that_announced_nothing_is_refused_as_too_large_one_byte_past_the_limit_and_gives_its_budget_back()
    {
        var reader = Reader();

        var read = await reader.ReadAsync(Request(Content(MaxBodyBytes + 1), announced: false), CancellationToken.None);

        Assert.Null(read.Body);
        Assert.Equal(BodyRefusal.TooLarge, read.Refusal);
        var admitted = await HoldUntilRefusedAsync(reader, Content(MaxBodyBytes), announced: false);
        var admittedByAFreshReader = await HoldUntilRefusedAsync(Reader(), Content(MaxBodyBytes), announced: false);
        admitted.Concat(admittedByAFreshReader).ToList().ForEach(body => body.Release());
        Assert.Equal(admittedByAFreshReader.Count, admitted.Count);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_empty_body_is_read_as_empty(bool announced)
    {
        var read = await Reader().ReadAsync(Request([], announced), CancellationToken.None);

        var body = Assert.IsType<WebhookBody>(read.Body);
        Assert.Equal(0, body.Memory.Length);
        body.Release();
    }

    private static async Task<List<WebhookBody>> HoldUntilRefusedAsync(WebhookBodyReader reader, byte[] content, bool announced)
    {
        var held = new List<WebhookBody>();
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

        return held;
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
