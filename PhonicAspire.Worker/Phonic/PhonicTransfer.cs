namespace PhonicAspire.Worker.Phonic;

/// <summary>
/// A <c>conversation.transferred</c> event. Its <c>items</c> (role and text) are kept as JSON taken from the
/// stored payload.
/// </summary>
public sealed record PhonicTransfer(string? TransferredTo);
