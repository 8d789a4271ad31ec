using System.Net;
using System.Net.Sockets;
using System.Text;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Webhooks;
using PhonicAspire.Webhooks.Svix;

namespace PhonicAspire.Tests.Stack;

/// <summary>One test per class of hostile input: each gets its documented answer, nothing invalid is stored, and
/// the API stays healthy.</summary>
[Collection(StackCollection.Name)]
public sealed class HostileInputTests(PhonicStackFixture stack) : IAsyncLifetime
{
    private readonly HttpClient _client = stack.CreateApiClient();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        var health = await HealthEndpoint.ReadAsync(_client);
        _client.Dispose();
        Assert.True(health.Status == HttpStatusCode.OK, $"the API's /health after the test: {(int)health.Status} {health.Body}");
    }

    private static SignedWebhook Sample() => SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());

    private async Task AssertRefusedAsync(HttpRequestMessage request, string svixId, HttpStatusCode status, string problem)
    {
        var signatures = request.Headers.TryGetValues(SvixHeaders.Signature, out var values)
            ? string.Join(' ', values).Split([' ', ','], StringSplitOptions.RemoveEmptyEntries).Where(part => part.Length > 8).ToArray()
            : [];
        using (request)
        using (var response = await _client.SendAsync(request))
        {
            await ProblemAssert.IsProblemAsync(response, status, problem);

            // Problem details never echo what the caller signed with.
            var body = await response.Content.ReadAsStringAsync();
            Assert.All(signatures, signature => Assert.DoesNotContain(signature, body, StringComparison.Ordinal));
        }

        // Nothing was queued: the accepted marker is written in the same script as the stream entry.
        Assert.False(await stack.Redis.KeyExistsAsync(WebhookStream.AcceptedKeyPrefix + svixId));
    }

    private async Task AssertKeptAsync(byte[] body)
    {
        var webhook = SignedWebhook.Create(body);
        using (var request = webhook.ToRequest())
        using (var response = await _client.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, webhook.SvixId));
    }

    [Fact]
    public Task Bad_signature_is_401()
    {
        var webhook = Sample() with { Signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" };
        return AssertRefusedAsync(webhook.ToRequest(), webhook.SvixId, HttpStatusCode.Unauthorized, "invalid-signature");
    }

    [Fact]
    public Task Stale_timestamp_is_400()
    {
        var webhook = SignedWebhook.Create(SamplePayloads.Read(SamplePayloads.Analysis), at: DateTimeOffset.UtcNow.AddMinutes(-6));
        return AssertRefusedAsync(webhook.ToRequest(), webhook.SvixId, HttpStatusCode.BadRequest, "timestamp-too-old");
    }

    [Fact]
    public Task Future_timestamp_is_400()
    {
        var webhook = SignedWebhook.Create(SamplePayloads.Read(SamplePayloads.Analysis), at: DateTimeOffset.UtcNow.AddMinutes(6));
        return AssertRefusedAsync(webhook.ToRequest(), webhook.SvixId, HttpStatusCode.BadRequest, "timestamp-too-new");
    }

    [Theory]
    [InlineData(SvixHeaders.Id)]
    [InlineData(SvixHeaders.Timestamp)]
    [InlineData(SvixHeaders.Signature)]
    public Task Missing_header_is_400(string header)
    {
        var webhook = Sample();
        var request = webhook.ToRequest();
        request.Headers.Remove(header);
        return AssertRefusedAsync(request, webhook.SvixId, HttpStatusCode.BadRequest, "missing-headers");
    }

    [Fact]
    public Task Garbage_signature_header_is_401()
    {
        var webhook = Sample() with { Signature = "v1,!!!not-base64!!! ,,, v1 v9,AAAA v1,=== \t" };
        return AssertRefusedAsync(webhook.ToRequest(), webhook.SvixId, HttpStatusCode.Unauthorized, "invalid-signature");
    }

    [Fact]
    public Task Timestamp_that_is_not_a_number_is_400()
    {
        var webhook = Sample();
        var request = webhook.ToRequest();
        request.Headers.Remove(SvixHeaders.Timestamp);
        request.Headers.Add(SvixHeaders.Timestamp, "16142653a0");
        return AssertRefusedAsync(request, webhook.SvixId, HttpStatusCode.BadRequest, "malformed-headers");
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    public Task Wrong_content_type_is_415(string contentType)
    {
        var webhook = Sample();
        return AssertRefusedAsync(webhook.ToRequest(contentType), webhook.SvixId, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
    }

    [Fact]
    public async Task Other_methods_are_405()
    {
        using var response = await _client.GetAsync(SignedWebhook.Route);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task Enormous_header_is_431()
    {
        var webhook = Sample();
        using var request = webhook.ToRequest();
        request.Headers.Add("x-padding", new string('a', 128 * 1024));

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        Assert.False(await stack.Redis.KeyExistsAsync(WebhookStream.AcceptedKeyPrefix + webhook.SvixId));
    }

    [Fact]
    public async Task Truncated_body_is_refused_and_nothing_is_queued()
    {
        var webhook = Sample();
        using var tcp = await SendPartlyAsync(webhook, webhook.Body.Length / 2);
        await using var network = tcp.GetStream();
        tcp.Client.Shutdown(SocketShutdown.Send);

        // Kestrel takes the client's half-close as the end of the connection and aborts the request, closing or
        // resetting it, so there is usually no one left to answer; if an answer does come, it is the documented 400.
        // Either way nothing is queued.
        var statusLine = await ReadStatusLineAsync(network);
        Assert.True(statusLine is null || statusLine.StartsWith("HTTP/1.1 400", StringComparison.Ordinal), statusLine);
        Assert.False(await stack.Redis.KeyExistsAsync(WebhookStream.AcceptedKeyPrefix + webhook.SvixId));
    }

    private static async Task<string?> ReadStatusLineAsync(Stream network)
    {
        using var reader = new StreamReader(network, Encoding.ASCII);
        try
        {
            return await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (IOException)
        {
            return null;
        }
    }

    [Fact]
    public async Task A_body_that_stops_arriving_gets_400_body_incomplete_and_nothing_is_queued()
    {
        // Half the body, then nothing: slower than Kestrel's minimum body data rate, with the connection left open.
        var webhook = Sample();
        using var tcp = await SendPartlyAsync(webhook, webhook.Body.Length / 2);
        await using var network = tcp.GetStream();

        using var reader = new StreamReader(network, Encoding.ASCII);
        var response = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.StartsWith("HTTP/1.1 400 Bad Request", response, StringComparison.Ordinal);
        Assert.Contains("urn:phonic-aspire:problem:body-incomplete", response, StringComparison.Ordinal);
        // Its Content-Length was right: the detail names the cause, the rate.
        Assert.Contains("too slowly", response, StringComparison.Ordinal);
        Assert.False(await stack.Redis.KeyExistsAsync(WebhookStream.AcceptedKeyPrefix + webhook.SvixId));
    }

    [Fact]
    public async Task A_body_trickled_at_a_kibibyte_a_second_is_cut_off_after_its_grace_rather_than_holding_its_connection_for_a_minute()
    {
        // Well-formed headers need no secret, and a body of 64 KiB takes nothing from the in-flight budget: callers
        // that trickle such bodies hold connection slots (1,000 of them) for as long as the minimum rate lets them.
        var webhook = SignedWebhook.Create(new byte[64 * 1024]);
        using var tcp = await SendPartlyAsync(webhook, 1024);
        await using var network = tcp.GetStream();
        using var stopTrickling = new CancellationTokenSource();
        var trickling = TrickleAsync(network, webhook.Body.AsMemory(1024), stopTrickling.Token);
        try
        {
            var response = await ReadUntilAsync(network, "too slowly", TimeSpan.FromSeconds(15));
            Assert.StartsWith("HTTP/1.1 400 Bad Request", response, StringComparison.Ordinal);
        }
        finally
        {
            await stopTrickling.CancelAsync();
            await trickling;
        }
    }

    private static async Task TrickleAsync(Stream network, ReadOnlyMemory<byte> rest, CancellationToken cancellationToken)
    {
        try
        {
            for (var sent = 0; sent < rest.Length; sent += 1024)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                await network.WriteAsync(rest.Slice(sent, Math.Min(1024, rest.Length - sent)), cancellationToken);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException)
        {
            // Stopped by the test, or the server closed the connection.
        }
    }

    [Theory]
    [InlineData("80000000")]
    [InlineData("FFFFFFFFFFFFFFFF")]
    [InlineData("zz")]
    public async Task A_chunked_body_whose_chunk_size_cannot_be_read_gets_400_body_incomplete_and_nothing_is_queued(string chunkSize)
    {
        // Well-formed headers with a current timestamp need no secret: any caller can send such framing.
        var webhook = Sample();
        var response = await SendChunkedAsync(webhook, Encoding.ASCII.GetBytes($"{chunkSize}\r\n"));

        Assert.StartsWith("HTTP/1.1 400 Bad Request", response, StringComparison.Ordinal);
        Assert.Contains("urn:phonic-aspire:problem:body-incomplete", response, StringComparison.Ordinal);
        Assert.False(await stack.Redis.KeyExistsAsync(WebhookStream.AcceptedKeyPrefix + webhook.SvixId));
    }

    [Theory]
    [InlineData(2 * 1024 * 1024 - 1024, "202 Accepted")]
    [InlineData(2 * 1024 * 1024 + 1, "413 Payload Too Large")]
    public async Task The_limit_on_a_body_sent_in_small_chunks_is_on_the_body_not_on_its_framing(int bodyBytes, string status)
    {
        // 4 KiB chunks add 8 bytes of framing each, 4 KiB in all near the limit.
        var body = new byte[bodyBytes];
        body.AsSpan().Fill((byte)' ');
        var webhook = SignedWebhook.Create(body);
        var framed = new MemoryStream();
        for (var sent = 0; sent < body.Length; sent += 4096)
        {
            var length = Math.Min(4096, body.Length - sent);
            framed.Write(Encoding.ASCII.GetBytes($"{length:X}\r\n"));
            framed.Write(body, sent, length);
            framed.Write("\r\n"u8);
        }

        framed.Write("0\r\n\r\n"u8);

        var response = await SendChunkedAsync(webhook, framed.ToArray());

        Assert.StartsWith($"HTTP/1.1 {status}", response, StringComparison.Ordinal);
        if (status.StartsWith("202", StringComparison.Ordinal))
        {
            Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, webhook.SvixId));
        }
        else
        {
            Assert.False(await stack.Redis.KeyExistsAsync(WebhookStream.AcceptedKeyPrefix + webhook.SvixId));
        }
    }

    /// <summary>Sends <paramref name="webhook"/>'s headers with <c>Transfer-Encoding: chunked</c>, then <paramref name="framedBody"/> as it is; returns the whole answer.</summary>
    private Task<string> SendChunkedAsync(SignedWebhook webhook, byte[] framedBody)
    {
        var endpoint = stack.App.GetEndpoint("webhookapi", "http");
        var head = RequestHead(webhook, endpoint.Authority).Replace(
            $"Content-Length: {webhook.Body.Length}\r\n", "Transfer-Encoding: chunked\r\n", StringComparison.Ordinal);
        return SendRawAsync(head, framedBody);
    }

    /// <summary>Sends <paramref name="head"/>, then <paramref name="body"/> as it is, to the API's Kestrel; returns the whole answer.</summary>
    private async Task<string> SendRawAsync(string head, byte[] body)
    {
        var endpoint = stack.App.GetEndpoint("webhookapi", "http");
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(endpoint.Host, endpoint.Port);
        await using var network = tcp.GetStream();
        await network.WriteAsync(Encoding.ASCII.GetBytes(head));
        // Written while the answer is read: a refusal may come, and the connection close, before all of it is sent.
        var writing = WriteUnlessClosedAsync(network, body);

        using var reader = new StreamReader(network, Encoding.ASCII);
        var response = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await writing.WaitAsync(TimeSpan.FromSeconds(30));
        return response;
    }

    private static async Task WriteUnlessClosedAsync(Stream network, byte[] bytes)
    {
        try
        {
            await network.WriteAsync(bytes);
        }
        catch (IOException)
        {
            // The server answered and closed the connection before reading the rest.
        }
    }

    [Fact]
    public async Task Headers_that_cannot_verify_are_refused_before_the_body_arrives()
    {
        // The announced 2 MiB never come: the answer cannot be waiting for them (Kestrel would give up on them only
        // after its 5 s grace, and say body-incomplete).
        var webhook = SignedWebhook.Create(new byte[2 * 1024 * 1024], at: DateTimeOffset.UtcNow.AddMinutes(-10));
        using var tcp = await SendPartlyAsync(webhook, bodyBytes: 0);
        await using var network = tcp.GetStream();
        var response = await ReadUntilAsync(network, "timestamp-too-old", TimeSpan.FromSeconds(3));

        Assert.StartsWith("HTTP/1.1 400 Bad Request", response, StringComparison.Ordinal);
    }

    /// <summary>What the server sent until <paramref name="expected"/> appears in it, or a timeout.</summary>
    private static async Task<string> ReadUntilAsync(Stream network, string expected, TimeSpan timeout)
    {
        using var bound = new CancellationTokenSource(timeout);
        var received = new StringBuilder();
        var buffer = new byte[4096];
        while (!received.ToString().Contains(expected, StringComparison.Ordinal))
        {
            var read = await network.ReadAsync(buffer, bound.Token);
            Assert.True(read > 0, $"The connection closed without '{expected}': {received}");
            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return received.ToString();
    }

    /// <summary>Sends the request head and the first <paramref name="bodyBytes"/> of the body to the API's Kestrel, and nothing more.</summary>
    private async Task<TcpClient> SendPartlyAsync(SignedWebhook webhook, int bodyBytes)
    {
        var endpoint = stack.App.GetEndpoint("webhookapi", "http");
        var tcp = new TcpClient();
        await tcp.ConnectAsync(endpoint.Host, endpoint.Port);
        var network = tcp.GetStream();
        await network.WriteAsync(Encoding.ASCII.GetBytes(RequestHead(webhook, endpoint.Authority)));
        await network.WriteAsync(webhook.Body.AsMemory(0, bodyBytes));
        return tcp;
    }

    private static string RequestHead(SignedWebhook webhook, string authority) =>
        $"POST {SignedWebhook.Route} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\n" +
        $"Content-Length: {webhook.Body.Length}\r\n{SvixHeaders.Id}: {webhook.SvixId}\r\n" +
        $"{SvixHeaders.Timestamp}: {webhook.Timestamp}\r\n{SvixHeaders.Signature}: {webhook.Signature}\r\nConnection: close\r\n\r\n";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_signature_sent_over_two_header_lines_is_verified_as_one_list_and_the_delivery_is_kept(bool validFirst)
    {
        // A sender (or an intermediary) may put each signature on a line of its own. HTTP makes repeated lines one
        // comma-separated value, but svix-signature's entries hold commas of their own and are separated by spaces.
        var webhook = Sample();
        var wrong = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
        var lines = validFirst ? (webhook.Signature, wrong) : (wrong, webhook.Signature);
        var endpoint = stack.App.GetEndpoint("webhookapi", "http");
        var head = RequestHead(webhook, endpoint.Authority).Replace(
            $"{SvixHeaders.Signature}: {webhook.Signature}\r\n",
            $"{SvixHeaders.Signature}: {lines.Item1}\r\n{SvixHeaders.Signature}: {lines.Item2}\r\n",
            StringComparison.Ordinal);
        Assert.Equal(2, head.Split($"\r\n{SvixHeaders.Signature}: ").Length - 1);

        var response = await SendRawAsync(head, webhook.Body);

        Assert.StartsWith("HTTP/1.1 202 Accepted", response, StringComparison.Ordinal);
        Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, webhook.SvixId));
    }

    [Theory]
    [InlineData(SvixHeaders.Id)]
    [InlineData(SvixHeaders.Timestamp)]
    public async Task An_id_or_timestamp_header_sent_over_two_lines_is_400_malformed_headers_not_a_bad_signature(string header)
    {
        // Unlike the signature's list, the id and the timestamp are one value each: two lines of one are a malformed
        // request, whatever the signature, not a sign that the secret is wrong.
        var webhook = Sample();
        var endpoint = stack.App.GetEndpoint("webhookapi", "http");
        var head = RequestHead(webhook, endpoint.Authority);
        var line = head.Split("\r\n").Single(candidate => candidate.StartsWith($"{header}: ", StringComparison.Ordinal));
        head = head.Replace($"{line}\r\n", $"{line}\r\n{line}\r\n", StringComparison.Ordinal);

        var response = await SendRawAsync(head, webhook.Body);

        Assert.StartsWith("HTTP/1.1 400 Bad Request", response, StringComparison.Ordinal);
        Assert.Contains("malformed-headers", response, StringComparison.Ordinal);
        Assert.False(await stack.Redis.KeyExistsAsync(WebhookStream.AcceptedKeyPrefix + webhook.SvixId));
    }

    [Fact]
    public async Task Standard_webhooks_headers_are_verified_like_svix_ones_and_the_delivery_is_kept()
    {
        var webhook = Sample();
        using var request = new HttpRequestMessage(HttpMethod.Post, SignedWebhook.Route) { Content = new ByteArrayContent(webhook.Body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add(SvixHeaders.StandardId, webhook.SvixId);
        request.Headers.Add(SvixHeaders.StandardTimestamp, webhook.Timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(SvixHeaders.StandardSignature, webhook.Signature);

        using (var response = await _client.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, webhook.SvixId));
    }

    [Fact]
    public Task Standard_webhooks_headers_with_a_wrong_signature_are_401()
    {
        var webhook = Sample();
        var request = new HttpRequestMessage(HttpMethod.Post, SignedWebhook.Route) { Content = new ByteArrayContent(webhook.Body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add(SvixHeaders.StandardId, webhook.SvixId);
        request.Headers.Add(SvixHeaders.StandardTimestamp, webhook.Timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(SvixHeaders.StandardSignature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        return AssertRefusedAsync(request, webhook.SvixId, HttpStatusCode.Unauthorized, "invalid-signature");
    }

    [Fact]
    public Task Signed_body_that_is_not_json_is_kept() =>
        AssertKeptAsync("this is not JSON, but Phonic signed it"u8.ToArray());

    [Fact]
    public Task Signed_deeply_nested_json_is_kept() =>
        AssertKeptAsync(Encoding.ASCII.GetBytes(new string('[', 5000) + new string(']', 5000)));

    [Theory]
    [InlineData("""{"event_type":"\ud800","data":{"conversation":{"id":"conv_x"}}}""")]
    [InlineData("""{"event_type":"conversation.ended","data":{"conversation":{"id":"\udc00"}}}""")]
    [InlineData("""{"\ud83d":1,"event_type":"conversation.ended","data":{"conversation":{"id":"conv_x"}}}""")]
    [InlineData("""{"event_type":"conversation.ended","data":{"conversation":{"\udc00":1,"id":"conv_x"}}}""")]
    public Task Signed_json_whose_labels_or_names_are_escaped_lone_surrogates_is_kept(string body) =>
        AssertKeptAsync(Encoding.UTF8.GetBytes(body));

    [Fact]
    public async Task Signed_bodies_beyond_the_allowance_with_a_lone_surrogate_name_are_kept_and_give_back_their_share_of_the_in_flight_budget()
    {
        // Each reserves 2 MiB less the allowance of the 32 MiB budget while it is handled: were a share kept after
        // its answer, the seventeenth would be refused as busy.
        var padding = new string('x', 1_100_000);
        for (var i = 0; i < 20; i++)
        {
            await AssertKeptAsync(Encoding.UTF8.GetBytes(
                $$$"""{"\ud83d":1,"event_type":"conversation.ended","data":{"conversation":{"id":"conv_{{{i}}}"}},"padding":"{{{padding}}}"}"""));
        }
    }

    [Fact]
    public Task Signed_invalid_utf8_is_kept() =>
        AssertKeptAsync([.. "{\"event_type\":\"conversation.ended\",\"x\":\""u8, 0xC3, 0x28, 0xFF, .. "\"}"u8]);
}
