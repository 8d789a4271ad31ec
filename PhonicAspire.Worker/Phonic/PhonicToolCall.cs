namespace PhonicAspire.Worker.Phonic;

/// <summary>
/// The scalar fields of one tool call. Its JSON-valued fields (request and response bodies, headers, query
/// parameters) are taken from the stored payload by <see cref="Position"/> rather than copied here.
/// </summary>
/// <param name="Position">Index in the item's <c>tool_calls[]</c>.</param>
public sealed record PhonicToolCall(int Position)
{
    public string? Id { get; init; }
    public string? ToolId { get; init; }
    public string? ToolName { get; init; }
    public bool? TimedOut { get; init; }
    public string? ErrorMessage { get; init; }
    public string? EndpointMethod { get; init; }
    public string? EndpointUrl { get; init; }
    public int? EndpointTimeoutMs { get; init; }
    public DateTimeOffset? EndpointCalledAt { get; init; }
    public int? ResponseStatusCode { get; init; }
}
