using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using StemGen.Web.Data;
using StemGen.Web.Endpoints;
using StemGen.Web.Events;
using StemGen.Web.Tasks;

namespace StemGen.Web.Listening;

/// <summary>The admin side of listening studies: design (checked, then prepared by a job), who may take them, screening, closing. Callers check the Admin role.</summary>
public sealed class StudyService(
    StudioDbContext db, IStudyItemSource items, TaskQueue queue, UserManager<IdentityUser> users, TaskEvents events, TimeProvider clock)
{
    public sealed record StudyRow(int Id, string Name, StudyState State, double ProgressPercent, int Conditions, int Items, bool OpenToAll, int Listeners, DateTime CreatedAt);

    public async Task<List<StudyRow>> ListAsync(CancellationToken cancellationToken = default) =>
        await db.ListeningStudies.AsNoTracking().OrderByDescending(s => s.CreatedAt)
            .Select(s => new StudyRow(s.Id, s.Name, s.State, s.ProgressPercent, s.Conditions.Count, s.Items.Count, s.OpenToAll,
                db.StudyAssignments.Where(a => a.StudyId == s.Id).Select(a => a.UserId).Distinct().Count(), s.CreatedAt))
            .ToListAsync(cancellationToken);

    /// <summary>Checks the design and the dataset (nothing is stored when either is wrong), stores the study and queues its preparation.</summary>
    public async Task<ListeningStudy> CreateAsync(string adminId, StudyDesign design, CancellationToken cancellationToken = default)
    {
        design.Validate();
        var dataset = design.Dataset?.Trim() ?? "";
        var seed = design.Seed ?? Random.Shared.NextInt64(1, int.MaxValue);
        var drawn = await Task.Run(() => items.Draw(dataset, design.ItemsPerCondition, design.ClipSeconds, seed), cancellationToken);
        if (design.Anchor && drawn.Select(d => d.Song).Distinct().Count() < 2)
            throw new StudioValidationException("the low anchor pairs a stem with another song's context: the test split must give examples from at least two songs");

        var study = new ListeningStudy
        {
            Name = design.Name.Trim(),
            Instructions = string.IsNullOrWhiteSpace(design.Instructions) ? StudyDesign.DefaultInstructions : design.Instructions.Trim(),
            Question = design.Question, Dataset = dataset, Seed = seed, ItemsPerCondition = design.ItemsPerCondition,
            ClipSeconds = design.ClipSeconds, MinPlaySeconds = design.MinPlaySeconds is > 0 ? design.MinPlaySeconds : null,
            LoudnessLufs = StudyDesign.LoudnessLufs, OpenToAll = design.OpenToAll,
            Screening = design.Screening, ReferenceBelow = design.ReferenceBelow, AnchorAbove = design.AnchorAbove, MaxFailPercent = design.MaxFailPercent,
            PseudonymKey = RandomNumberGenerator.GetBytes(32),
            State = StudyState.Preparing, Phase = "queued", CreatedById = adminId, CreatedAt = clock.GetUtcNow().UtcDateTime,
            Conditions = design.Conditions().ToList(),
        };
        db.ListeningStudies.Add(study);
        await db.SaveChangesAsync(cancellationToken);
        await EnqueueAsync(study, cancellationToken);
        return study;
    }

    /// <summary>
    /// Preparation reads the dataset folder and writes the database, so it runs on the studio's own
    /// server (the CPU queue), never on a remote GPU worker.
    /// </summary>
    internal async Task EnqueueAsync(ListeningStudy study, CancellationToken cancellationToken)
    {
        study.HangfireJobId = queue.Enqueue<StudyPreparationJob>(study.Id);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Runs a failed preparation again (items already stored are kept).</summary>
    public async Task RetryAsync(int studyId, CancellationToken cancellationToken = default)
    {
        var study = await FindAsync(studyId, cancellationToken);
        if (study.State != StudyState.Failed) throw new StudioValidationException("only a study whose preparation failed can be prepared again");
        study.State = StudyState.Preparing;
        study.Error = null;
        study.Phase = "queued";
        await db.SaveChangesAsync(cancellationToken);
        await EnqueueAsync(study, cancellationToken);
        Publish(study);
    }

    public async Task SetOpenToAllAsync(int studyId, bool open, CancellationToken cancellationToken = default)
    {
        var study = await FindAsync(studyId, cancellationToken);
        study.OpenToAll = open;
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Closes a study (no more ratings) or opens it again.</summary>
    public async Task SetClosedAsync(int studyId, bool closed, CancellationToken cancellationToken = default)
    {
        var study = await FindAsync(studyId, cancellationToken);
        if (study.State is StudyState.Preparing or StudyState.Failed) throw new StudioValidationException("the study is not prepared yet");
        study.State = closed ? StudyState.Closed : StudyState.Open;
        await db.SaveChangesAsync(cancellationToken);
        Publish(study);
    }

    public async Task InviteAsync(int studyId, string userName, CancellationToken cancellationToken = default)
    {
        var study = await FindAsync(studyId, cancellationToken);
        var user = await users.FindByNameAsync(userName.Trim()) ?? throw new StudioValidationException($"no user named '{userName.Trim()}'");
        if (!await users.IsInRoleAsync(user, Roles.Listener))
            throw new StudioValidationException($"{user.UserName} is not a Listener: grant the role on the Users page first");
        if (await db.StudyInvites.AnyAsync(i => i.StudyId == study.Id && i.UserId == user.Id, cancellationToken)) return;
        db.StudyInvites.Add(new StudyInvite { StudyId = study.Id, UserId = user.Id });
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task UninviteAsync(int studyId, string userId, CancellationToken cancellationToken = default) =>
        await db.StudyInvites.Where(i => i.StudyId == studyId && i.UserId == userId).ExecuteDeleteAsync(cancellationToken);

    public async Task<List<(string UserId, string UserName)>> InvitesAsync(int studyId, CancellationToken cancellationToken = default) =>
        (await (from i in db.StudyInvites join u in db.Users on i.UserId equals u.Id where i.StudyId == studyId orderby u.UserName select new { u.Id, u.UserName })
            .ToListAsync(cancellationToken)).Select(x => (x.Id, x.UserName!)).ToList();

    /// <summary>Changes the screening rule; the results are recomputed from the stored ratings.</summary>
    public async Task SetScreeningAsync(int studyId, ScreeningRule rule, double referenceBelow, double anchorAbove, double maxFailPercent, CancellationToken cancellationToken = default)
    {
        var study = await db.ListeningStudies.Include(s => s.Conditions).FirstOrDefaultAsync(s => s.Id == studyId, cancellationToken)
            ?? throw new KeyNotFoundException("no such study");
        if (!Enum.IsDefined(rule)) throw new StudioValidationException("unknown screening rule");
        if (rule is ScreeningRule.Reference or ScreeningRule.Both && study.Conditions.All(c => c.Kind != ConditionKind.Reference))
            throw new StudioValidationException("this study has no hidden reference to screen on");
        if (rule is ScreeningRule.Anchor or ScreeningRule.Both && study.Conditions.All(c => c.Kind != ConditionKind.Anchor))
            throw new StudioValidationException("this study has no low anchor to screen on");
        StudyDesign.CheckScreening(referenceBelow, anchorAbove, maxFailPercent);
        (study.Screening, study.ReferenceBelow, study.AnchorAbove, study.MaxFailPercent) = (rule, referenceBelow, anchorAbove, maxFailPercent);
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task<ListeningStudy> FindAsync(int studyId, CancellationToken cancellationToken) =>
        await db.ListeningStudies.FirstOrDefaultAsync(s => s.Id == studyId, cancellationToken) ?? throw new KeyNotFoundException("no such study");

    /// <summary>Tells the study's open pages: preparing again, or opened or closed (they read it again).</summary>
    private void Publish(ListeningStudy study) => events.Publish(new TaskEvent(TaskKind.StudyPreparation, study.Id,
        study.State == StudyState.Preparing ? TaskState.Queued : TaskState.Succeeded, study.ProgressPercent, study.Phase, null));
}
