using Microsoft.EntityFrameworkCore;
using StemGen.Web.Data;

namespace StemGen.Web.Storage;

/// <summary>Blobs are shared by content: one is deleted only when no stem or candidate refers to it any more.</summary>
public sealed class BlobReferences(StudioDbContext db, IBlobStore store)
{
    public async Task DeleteUnreferencedAsync(IEnumerable<string> hashes, CancellationToken cancellationToken = default)
    {
        foreach (var hash in hashes.Distinct())
        {
            var used = await db.Stems.AnyAsync(s => s.BlobHash == hash, cancellationToken)
                || await db.GenerationCandidates.AnyAsync(c => c.BlobHash == hash, cancellationToken);
            if (!used) store.Delete(hash);
        }
    }
}
