using Microsoft.EntityFrameworkCore;

using StemGen.Data;
using StemGen.Web.Data;
using StemGen.Web.Events;
using StemGen.Web.Storage;

namespace StemGen.Web.Projects;

/// <summary>
/// The one writer of a project's stems after upload: category, name, delete. The page and the stem routes both call
/// it, so both make the same checks and publish the same event. Callers check the caller's role with
/// <see cref="ProjectAccess"/> first.
/// </summary>
public sealed class StemService(StudioDbContext db, BlobReferences blobs, ProjectEvents events)
{
    /// <summary>Changes what is given (null = unchanged); refuses an unknown category or an empty, long or unreadable name.</summary>
    public async Task UpdateAsync(int projectId, int stemId, string? name, InstrumentCategory? category, CancellationToken cancellationToken = default)
    {
        var stem = await db.Stems.FirstOrDefaultAsync(s => s.Id == stemId && s.ProjectId == projectId, cancellationToken)
            ?? throw new KeyNotFoundException("no such stem");
        if (category is { } c) stem.Category = ValidCategory(c);
        if (name is not null) stem.Name = ValidName(name);
        await db.SaveChangesAsync(cancellationToken);
        events.Publish(new ProjectChangedEvent(projectId, "stems"));
    }

    public Task SetCategoryAsync(int projectId, int stemId, InstrumentCategory category, CancellationToken cancellationToken = default) =>
        UpdateAsync(projectId, stemId, null, category, cancellationToken);

    public Task RenameAsync(int projectId, int stemId, string name, CancellationToken cancellationToken = default) =>
        UpdateAsync(projectId, stemId, name, null, cancellationToken);

    /// <summary>Removes the stem and its audio, unless another stem or a candidate shares the same bytes.</summary>
    public async Task DeleteAsync(int projectId, int stemId, CancellationToken cancellationToken = default)
    {
        var stem = await db.Stems.FirstOrDefaultAsync(s => s.Id == stemId && s.ProjectId == projectId, cancellationToken)
            ?? throw new KeyNotFoundException("no such stem");
        db.Stems.Remove(stem);
        await db.SaveChangesAsync(cancellationToken);
        await blobs.DeleteUnreferencedAsync([stem.BlobHash], cancellationToken);
        events.Publish(new ProjectChangedEvent(projectId, "stems"));
    }

    public static InstrumentCategory ValidCategory(InstrumentCategory category) =>
        Enum.IsDefined(category) ? category : throw new StudioValidationException($"unknown instrument category {(int)category}");

    public static string ValidName(string name)
    {
        var trimmed = name.Trim();
        if (trimmed.Length is 0 or > Stem.MaxNameLength) throw new StudioValidationException($"a stem name has 1 to {Stem.MaxNameLength} characters");
        if (UserText.Refusal(trimmed, "stem name") is { } refusal) throw new StudioValidationException(refusal);
        return trimmed;
    }
}
