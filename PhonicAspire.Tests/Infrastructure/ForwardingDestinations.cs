using System.Net;
using PhonicAspire.Webhooks.Svix;

namespace PhonicAspire.Tests.Infrastructure;

/// <summary>
/// Three services that receive PhonicAspire's forwards, on one loopback listener, each behaving as a real
/// destination can: <c>flaky</c> answers 503 to the first attempt of every event and, with <c>Retry-After: 1</c>,
/// to everything while <see cref="FlakyDown"/> is set, then 200; <c>gone</c> answers 410; <c>dead</c> answers 503
/// forever; <c>picky</c> answers 503 forever to events whose body holds <see cref="PickyRefusalMarker"/>, 200 to
/// the rest.
/// Every attempt is recorded with whether its Standard Webhooks signature verifies under <see cref="SigningSecret"/>.
/// </summary>
public sealed class ForwardingDestinations : IAsyncDisposable
{
    public const string Flaky = "flaky";
    public const string Gone = "gone";
    public const string Dead = "dead";
    public const string Picky = "picky";
    public const string PickyRefusalMarker = "conv_picky_refuses_";
    public const string SigningSecret = "whsec_Zm9yd2FyZGluZy1zZWNyZXQtZm9yLXRoZS10ZXN0cw==";
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);

    private readonly HttpListener _listener = new();
    private readonly SvixSignatureVerifier _verifier = new(WebhookSigningKeys.Parse(SigningSecret), TimeProvider.System);
    private readonly Lock _gate = new();
    private readonly List<ForwardReceived> _received = [];
    private readonly Task _serving;

    public ForwardingDestinations()
    {
        var port = LoopbackPorts.Free();
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(BaseAddress.ToString());
        _listener.Start();
        _serving = ServeAsync();
    }

    public Uri BaseAddress { get; }

    /// <summary>While set, <c>flaky</c> answers 503 to everything, as a destination that is down for a while.</summary>
    public volatile bool FlakyDown;

    public IReadOnlyList<ForwardReceived> Received
    {
        get
        {
            lock (_gate)
            {
                return [.. _received];
            }
        }
    }

    public IReadOnlyList<ForwardReceived> ReceivedBy(string destination, string svixId) =>
        [.. Received.Where(forward => forward.Destination == destination && forward.WebhookId == svixId)];

    public Uri Url(string destination) => new(BaseAddress, destination);

    public async ValueTask DisposeAsync()
    {
        _listener.Close();
        await _serving.WaitAsync(ShutdownTimeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        using var body = new MemoryStream();
        await context.Request.InputStream.CopyToAsync(body);
        var destination = context.Request.Url!.AbsolutePath.Trim('/');
        var webhookId = context.Request.Headers[SvixHeaders.StandardId];
        var verified = _verifier.Verify(
            webhookId, context.Request.Headers[SvixHeaders.StandardTimestamp], context.Request.Headers[SvixHeaders.StandardSignature], body.ToArray())
            == SvixVerificationResult.Verified;

        int status;
        lock (_gate)
        {
            var earlier = _received.Count(forward => forward.Destination == destination && forward.WebhookId == webhookId);
            status = destination switch
            {
                Flaky when FlakyDown || earlier == 0 => 503,
                Flaky => 200,
                Gone => 410,
                Picky when System.Text.Encoding.UTF8.GetString(body.ToArray()).Contains(PickyRefusalMarker, StringComparison.Ordinal) => 503,
                Picky => 200,
                _ => 503,
            };
            _received.Add(new ForwardReceived(
                destination, webhookId, context.Request.Headers[SvixHeaders.StandardTimestamp], verified, status, body.ToArray(), TimeProvider.System.GetUtcNow()));
        }

        context.Response.StatusCode = status;
        if (destination == Flaky && FlakyDown)
        {
            context.Response.AddHeader("Retry-After", "1");
        }

        context.Response.Close();
    }
}

/// <summary>One attempt a destination received, and what it answered.</summary>
public sealed record ForwardReceived(
    string Destination, string? WebhookId, string? Timestamp, bool SignatureVerified, int Status, byte[] Body, DateTimeOffset At);
