using Microsoft.EntityFrameworkCore;
using StemGen.Web.Data;

namespace StemGen.Web.Listening;

/// <summary>A study as a listener sees it in the list: nothing about conditions or sources.</summary>
public sealed record ListenerStudy(int Id, string Name, int Clips, int Rated);

/// <summary>One clip in the listener's own order: its opaque id, how much has been heard, whether it is rated.</summary>
public sealed record ListenerClip(string Id, int Position, double DurationSeconds, double RequiredSeconds, double PlayedSeconds, bool Ended, bool Rated)
{
    public bool PlayedEnough => Ended || PlayedSeconds >= RequiredSeconds - ListeningSessions.PlayTolerance;
}

/// <summary>A listener's session of one study: what to ask, and the clips in their order.</summary>
public sealed record ListenerSession(int StudyId, string Name, string Instructions, string Question, IReadOnlyList<ListenerClip> Clips)
{
    public int Rated => Clips.Count(c => c.Rated);
    public ListenerClip? Next => Clips.FirstOrDefault(c => !c.Rated);
}

/// <summary>
/// The listener side of studies, for the pages and the API alike. Listeners see open studies that are
/// open to all or to which they are invited; each gets every item once, in an order drawn for them. The
/// studio serves one clip's audio at a time, the listener's next unrated one (so nobody can download a
/// study's clips and pair them by correlation), and takes a rating only once that audio was served and
/// the clip's play time (its length, or the study's minimum) has passed on the studio's own clock since;
/// the page's reported position is only shown. Once per item, never changed. Everything returned is
/// built from the types above, which have no field for a condition.
/// </summary>
public sealed class ListeningSessions(StudioDbContext db, TimeProvider clock)
{
    /// <summary>Playback reports are sampled: this much short of the required time still counts.</summary>
    public const double PlayTolerance = 0.3;

    // No AsNoTracking here: inside another query it would switch off tracking for that whole query.
    private IQueryable<ListeningStudy> Allowed(string userId) =>
        db.ListeningStudies.Where(s => s.State == StudyState.Open && (s.OpenToAll || s.Invites.Any(i => i.UserId == userId)));

    public async Task<List<ListenerStudy>> AvailableAsync(string userId, CancellationToken cancellationToken = default) =>
        await Allowed(userId).AsNoTracking().OrderBy(s => s.Name)
            .Select(s => new ListenerStudy(s.Id, s.Name, s.Items.Count, db.StudyAssignments.Count(a => a.StudyId == s.Id && a.UserId == userId && a.Score != null)))
            .ToListAsync(cancellationToken);

    /// <summary>The listener's session; the first call gives them every item in a new random order. Null when the study is not open to them.</summary>
    public async Task<ListenerSession?> StartAsync(string userId, int studyId, CancellationToken cancellationToken = default)
    {
        var study = await Allowed(userId).AsNoTracking().FirstOrDefaultAsync(s => s.Id == studyId, cancellationToken);
        if (study is null) return null;
        if (!await db.StudyAssignments.AnyAsync(a => a.StudyId == studyId && a.UserId == userId, cancellationToken))
        {
            var itemIds = await db.StudyItems.Where(i => i.StudyId == studyId).Select(i => i.Id).ToListAsync(cancellationToken);
            Random.Shared.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(itemIds));
            db.StudyAssignments.AddRange(itemIds.Select((id, position) => new StudyAssignment { StudyId = studyId, UserId = userId, ItemId = id, Position = position }));
            try { await db.SaveChangesAsync(cancellationToken); }
            catch (DbUpdateException) { db.ChangeTracker.Clear(); } // the same listener started in another tab at the same moment: theirs stands
        }
        var clips = await db.StudyAssignments.AsNoTracking().Where(a => a.StudyId == studyId && a.UserId == userId).OrderBy(a => a.Position)
            .Select(a => new { a.Item!.PublicId, a.Position, a.Item.DurationSeconds, a.PlayedSeconds, a.Ended, Rated = a.Score != null })
            .ToListAsync(cancellationToken);
        return new ListenerSession(study.Id, study.Name, study.Instructions, StudyDesign.QuestionText(study.Question),
            clips.Select(c => new ListenerClip(c.PublicId, c.Position, c.DurationSeconds, Required(study, c.DurationSeconds), c.PlayedSeconds, c.Ended, c.Rated)).ToList());
    }

    private static double Required(ListeningStudy study, double duration) => Math.Min(study.MinPlaySeconds ?? duration, duration);

    /// <summary>The listener's assignment of a clip of an open study still open to them; null for anything else (which callers answer 404).</summary>
    private async Task<StudyAssignment?> AssignmentAsync(string userId, string clipId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(clipId) || clipId.Length > StudyItem.PublicIdLength) return null;
        return await db.StudyAssignments.Include(a => a.Item)
            .Where(a => a.UserId == userId && a.Item!.PublicId == clipId)
            .Where(a => Allowed(userId).Any(s => s.Id == a.StudyId))
            .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>The stored audio of the listener's next unrated clip, noting when it was first served; null for any other clip.</summary>
    public async Task<string?> AudioBlobAsync(string userId, string clipId, CancellationToken cancellationToken = default)
    {
        var assignment = await AssignmentAsync(userId, clipId, cancellationToken);
        if (assignment is null || !await IsNextAsync(assignment, cancellationToken)) return null;
        if (assignment.AudioFetchedAt is null)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            await db.StudyAssignments.Where(a => a.Id == assignment.Id && a.AudioFetchedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.AudioFetchedAt, now), cancellationToken);
        }
        return assignment.Item!.BlobHash;
    }

    /// <summary>Whether the assignment is the listener's first unrated one in their order.</summary>
    private Task<bool> IsNextAsync(StudyAssignment assignment, CancellationToken cancellationToken) =>
        db.StudyAssignments.AnyAsync(a => a.Id == assignment.Id && a.Score == null && !db.StudyAssignments.Any(
            o => o.StudyId == assignment.StudyId && o.UserId == assignment.UserId && o.Score == null && o.Position < assignment.Position), cancellationToken);

    /// <summary>The page's player reports how far it got; the furthest point and the end are kept.</summary>
    public async Task<ListenerClip> RecordPlaybackAsync(string userId, string clipId, double position, bool ended, CancellationToken cancellationToken = default)
    {
        if (!double.IsFinite(position) || position < 0) throw new StudioValidationException("a playback position is a number of seconds, 0 or more");
        var assignment = await AssignmentAsync(userId, clipId, cancellationToken) ?? throw new KeyNotFoundException("no such clip");
        var duration = assignment.Item!.DurationSeconds;
        assignment.PlayedSeconds = Math.Max(assignment.PlayedSeconds, Math.Min(position, duration));
        assignment.Ended |= ended;
        await db.SaveChangesAsync(cancellationToken);
        return await ClipAsync(assignment, cancellationToken);
    }

    /// <summary>Stores the listener's rating of a clip: 1 to 5, after hearing it, once.</summary>
    public async Task RateAsync(string userId, string clipId, int score, CancellationToken cancellationToken = default)
    {
        if (score is < 1 or > 5) throw new StudioValidationException($"a rating is a whole number from 1 (bad) to 5 (excellent); {score} is not");
        var assignment = await AssignmentAsync(userId, clipId, cancellationToken) ?? throw new KeyNotFoundException("no such clip");
        if (assignment.Score is not null) throw new AlreadyRatedException();
        var clip = await ClipAsync(assignment, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var heard = assignment.AudioFetchedAt is { } fetched ? (now - fetched).TotalSeconds : 0;
        if (assignment.AudioFetchedAt is null || heard < clip.RequiredSeconds - PlayTolerance)
            throw new StudioValidationException(clip.RequiredSeconds >= clip.DurationSeconds - PlayTolerance
                ? $"play the clip to the end before rating it ({clip.DurationSeconds:0.0} s)"
                : $"play at least {clip.RequiredSeconds:0.#} s of the clip before rating it");
        // Conditional on "not rated yet" in the database itself, so two requests at once store one rating.
        var stored = await db.StudyAssignments.Where(a => a.Id == assignment.Id && a.Score == null)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Score, score).SetProperty(a => a.RatedAt, now), cancellationToken);
        if (stored == 0) throw new AlreadyRatedException();
    }

    private async Task<ListenerClip> ClipAsync(StudyAssignment a, CancellationToken cancellationToken)
    {
        var study = await db.ListeningStudies.AsNoTracking().FirstAsync(s => s.Id == a.StudyId, cancellationToken);
        var duration = a.Item!.DurationSeconds;
        return new ListenerClip(a.Item.PublicId, a.Position, duration, Required(study, duration), a.PlayedSeconds, a.Ended, a.Score is not null);
    }
}

/// <summary>A second rating of the same clip by the same listener (refused: ratings are never changed).</summary>
public sealed class AlreadyRatedException() : Exception("you already rated this clip; a rating cannot be changed");
