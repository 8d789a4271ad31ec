using System.ComponentModel.DataAnnotations.Schema;

namespace PhonicAspire.Worker.Persistence.Entities;

/// <summary>One tool call an assistant turn made. JSON-valued fields are jsonb, null when absent or JSON null.</summary>
[Table("tool_calls")]
public sealed class ToolCall
{
    public required string ConversationId { get; set; }
    public int ItemIdx { get; set; }

    /// <summary>Position in the item's <c>tool_calls[]</c>; Phonic's own id is not guaranteed.</summary>
    public int CallIdx { get; set; }
    public string? ToolCallId { get; set; }
    public string? ToolId { get; set; }
    public string? ToolName { get; set; }
    [Column(TypeName = "jsonb")]
    public string? RequestBody { get; set; }
    [Column(TypeName = "jsonb")]
    public string? ResponseBody { get; set; }
    public bool? TimedOut { get; set; }
    public string? ErrorMessage { get; set; }
    public string? EndpointMethod { get; set; }
    public string? EndpointUrl { get; set; }
    [Column(TypeName = "jsonb")]
    public string? EndpointHeaders { get; set; }
    public int? EndpointTimeoutMs { get; set; }
    public DateTimeOffset? EndpointCalledAt { get; set; }
    [Column(TypeName = "jsonb")]
    public string? QueryParams { get; set; }
    public int? ResponseStatusCode { get; set; }
}
