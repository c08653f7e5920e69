using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using StemGen.Evaluation.Mos;
using StemGen.Web.Data;

namespace StemGen.Web.Listening;

/// <summary>A listener as the results show them: a pseudonym, what they rated, their attention checks and whether they count.</summary>
public sealed record RaterSummary(string Pseudonym, int Rated, int Assigned, int ReferenceTrials, int ReferenceFails, int AnchorTrials, int AnchorFails, bool Kept, string Status);

/// <summary>One condition's MOS with the t and the rater/item random-effects 95 % intervals (a note says why one is missing) and its histogram (counts of 1..5).</summary>
public sealed record ConditionResult(int Id, string Name, ConditionKind Kind, string? Model, int Items, int Ratings, double? Mean,
    MosInterval? T, string? TNote, MosInterval? RandomEffects, string? RandomEffectsNote, int[] Histogram);

public sealed record PairResult(string A, string B, MosInterval? Difference, string? Note);

/// <summary>One stored rating with everything the export needs; the listener only as a pseudonym.</summary>
public sealed record RatingRow(string Listener, string Item, string Condition, ConditionKind Kind, string? Preset, int Example, int Position,
    double PlayedSeconds, bool Ended, int Score, DateTime? RatedAt, bool Kept);

public sealed record StudyReport(ListeningStudy Study, IReadOnlyList<ConditionResult> Conditions, IReadOnlyList<PairResult> Pairs,
    IReadOnlyList<RaterSummary> Raters, IReadOnlyList<RatingRow> Ratings);

/// <summary>
/// Results of a study from its stored ratings (MosStatistics does the statistics). Only listeners who
/// rated every item count, so each condition is a complete rater x item design; the screening rule
/// then keeps or drops them on the attention checks: the hidden reference rated below its threshold,
/// or the low anchor above its threshold, in more than the allowed share of their trials.
/// </summary>
public sealed class StudyResults(StudioDbContext db)
{
    public async Task<StudyReport?> ReportAsync(int studyId, CancellationToken cancellationToken = default)
    {
        var study = await db.ListeningStudies.AsNoTracking().Include(s => s.Conditions).Include(s => s.Items)
            .AsSplitQuery().FirstOrDefaultAsync(s => s.Id == studyId, cancellationToken);
        if (study is null) return null;
        var assignments = await db.StudyAssignments.AsNoTracking().Where(a => a.StudyId == studyId).ToListAsync(cancellationToken);
        var items = study.Items.ToDictionary(i => i.Id);
        var conditions = study.Conditions.OrderBy(c => c.Position).ToList();
        var kinds = conditions.ToDictionary(c => c.Id, c => c.Kind);

        var raters = new List<RaterSummary>();
        var kept = new HashSet<string>();
        foreach (var listener in assignments.GroupBy(a => a.UserId).OrderBy(g => g.Min(a => a.Id)))
        {
            var pseudonym = Pseudonym(study.PseudonymKey, listener.Key);
            var rated = listener.Where(a => a.Score is not null).ToList();
            var reference = rated.Where(a => kinds[items[a.ItemId].ConditionId] == ConditionKind.Reference).ToList();
            var anchor = rated.Where(a => kinds[items[a.ItemId].ConditionId] == ConditionKind.Anchor).ToList();
            int referenceFails = reference.Count(a => a.Score < study.ReferenceBelow), anchorFails = anchor.Count(a => a.Score > study.AnchorAbove);
            string status;
            if (rated.Count < study.Items.Count) status = $"in progress ({rated.Count} of {study.Items.Count} rated): not counted yet";
            else if (Fails(study.Screening, ScreeningRule.Reference, referenceFails, reference.Count, study.MaxFailPercent))
                status = $"screened out: rated the hidden reference below {study.ReferenceBelow:0.#} in {referenceFails} of {reference.Count} trials";
            else if (Fails(study.Screening, ScreeningRule.Anchor, anchorFails, anchor.Count, study.MaxFailPercent))
                status = $"screened out: rated the low anchor above {study.AnchorAbove:0.#} in {anchorFails} of {anchor.Count} trials";
            else
            {
                status = "kept";
                kept.Add(listener.Key);
            }
            raters.Add(new RaterSummary(pseudonym, rated.Count, listener.Count(), reference.Count, referenceFails, anchor.Count, anchorFails, kept.Contains(listener.Key), status));
        }

        var rows = assignments.Where(a => a.Score is not null).OrderBy(a => a.RatedAt).ThenBy(a => a.Id).Select(a =>
        {
            var item = items[a.ItemId];
            var condition = conditions.First(c => c.Id == item.ConditionId);
            return new RatingRow(Pseudonym(study.PseudonymKey, a.UserId), item.PublicId, condition.Name, condition.Kind, condition.Preset, item.Example,
                a.Position, a.PlayedSeconds, a.Ended, a.Score!.Value, a.RatedAt, kept.Contains(a.UserId));
        }).ToList();

        var byCondition = conditions.ToDictionary(c => c.Id, c => rows.Where(r => r.Kept && r.Condition == c.Name)
            .Select(r => new Rating(r.Listener, r.Item, r.Score)).ToList());
        var results = conditions.Select(c =>
        {
            var ratings = byCondition[c.Id];
            var scores = ratings.Select(r => r.Score).ToList();
            var (t, tNote) = Try(() => MosStatistics.TInterval(scores));
            var (re, reNote) = Try(() => MosStatistics.RandomEffectsInterval(ratings));
            var histogram = new int[5];
            foreach (var s in scores) histogram[(int)s - 1]++;
            return new ConditionResult(c.Id, c.Name, c.Kind, c.Model, study.Items.Count(i => i.ConditionId == c.Id), ratings.Count,
                scores.Count > 0 ? scores.Average() : null, t, tNote, re, reNote, histogram);
        }).ToList();

        var pairs = new List<PairResult>();
        for (var i = 0; i < conditions.Count; i++)
            for (var j = i + 1; j < conditions.Count; j++)
            {
                var (difference, note) = Try(() => MosComparison.PairedByRater(byCondition[conditions[i].Id], byCondition[conditions[j].Id]));
                pairs.Add(new PairResult(conditions[i].Name, conditions[j].Name, difference, note));
            }
        return new StudyReport(study, results, pairs, raters, rows);
    }

    private static bool Fails(ScreeningRule rule, ScreeningRule check, int fails, int trials, double maxFailPercent) =>
        (rule == check || rule == ScreeningRule.Both) && trials > 0 && 100.0 * fails / trials > maxFailPercent;

    private static (MosInterval?, string?) Try(Func<MosInterval> compute)
    {
        try { return (compute(), null); }
        catch (ArgumentException e) { return (null, e.Message); }
    }

    /// <summary>"L-3F9A0C12": an HMAC of the user id under the study's own key, the same in every export of the study and unlinkable across studies.</summary>
    public static string Pseudonym(byte[] key, string userId) =>
        "L-" + Convert.ToHexString(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(userId)))[..8];
}
