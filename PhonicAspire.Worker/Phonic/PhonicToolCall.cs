namespace PhonicAspire.Worker.Phonic;

/// <summary>One tool call of an assistant turn. JSON-valued fields hold JSON text, null when absent or JSON null.</summary>
/// <param name="Position">Index in the item's <c>tool_calls[]</c>.</param>
public sealed record PhonicToolCall(int Position)
{
    public string? Id { get; init; }
    public string? ToolId { get; init; }
    public string? ToolName { get; init; }
    public string? RequestBody { get; init; }
    public string? ResponseBody { get; init; }
    public bool? TimedOut { get; init; }
    public string? ErrorMessage { get; init; }
    public string? EndpointMethod { get; init; }
    public string? EndpointUrl { get; init; }
    public string? EndpointHeaders { get; init; }
    public int? EndpointTimeoutMs { get; init; }
    public DateTimeOffset? EndpointCalledAt { get; init; }
    public string? QueryParams { get; init; }
    public int? ResponseStatusCode { get; init; }
}
