using PhonicAspire.Worker.Persistence.Entities;

namespace PhonicAspire.Worker.Persistence.Staging;

/// <summary>A projection's columns of conversations, as the EF model names them.</summary>
/// <param name="Staged">Read from the event and carried in the staged update.</param>
/// <param name="FromPayload">Computed in PostgreSQL from the stored payload.</param>
internal sealed record ProjectionColumns(
    string EventType,
    StagedColumns<Conversation> Staged,
    IReadOnlyList<(string Name, string Sql)> FromPayload,
    string VersionCreatedAt,
    string VersionSvixId);
