using System.ComponentModel.DataAnnotations;

namespace PhonicAspire.SampleReceiver;

/// <summary>Bound from the <c>Receiver</c> section: the secret PhonicAspire signs its forwards with.</summary>
public sealed class ReceiverOptions
{
    public const string SectionName = "Receiver";

    [Required]
    public string? SigningSecret { get; set; }
}
