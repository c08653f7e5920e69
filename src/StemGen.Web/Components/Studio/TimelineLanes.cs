using System.Text.Json;

using StemGen.Data;
using StemGen.Jobs;
using StemGen.Web.Data;

namespace StemGen.Web.Components.Studio;

/// <summary>
/// One lane of the timeline: a stem, or a pending candidate shown in place (under the stem it would replace, or at the
/// end for a new stem). <see cref="Key"/> names it in the browser's player.
/// </summary>
public sealed record TimelineLane(string Key, string Name, double DurationSeconds, string AudioUrl, string PeaksUrl, Stem? Stem = null,
    GenerationCandidate? Candidate = null, GenerationJob? Job = null)
{
    public bool IsCandidate => Candidate is not null;

    public static string StemKey(int stemId) => $"stem-{stemId}";

    public static string CandidateKey(int candidateId) => $"cand-{candidateId}";

    /// <summary>Stems in upload order; after each, the candidates regenerating a part of it; new stems' candidates last, by job.</summary>
    public static List<TimelineLane> Arrange(int projectId, IReadOnlyList<Stem> stems, IReadOnlyList<GenerationJob> jobs)
    {
        var pending = jobs.Where(j => j.State == TaskState.Succeeded && j.Candidates.Any(c => c.Status == CandidateStatus.Pending))
            .OrderBy(j => j.Id).ToList();
        var byStem = pending.ToLookup(j => ParametersOf(j)?.ExistingStemId is { } id && stems.Any(s => s.Id == id) ? id : (int?)null);
        var lanes = new List<TimelineLane>();
        foreach (var stem in stems)
        {
            lanes.Add(new TimelineLane(StemKey(stem.Id), stem.Name, stem.DurationSeconds, $"/api/projects/{projectId}/stems/{stem.Id}/audio",
                $"/api/projects/{projectId}/stems/{stem.Id}/peaks", Stem: stem));
            foreach (var job in byStem[stem.Id]) lanes.AddRange(CandidateLanes(projectId, job));
        }
        foreach (var job in byStem[null]) lanes.AddRange(CandidateLanes(projectId, job));
        return lanes;
    }

    private static IEnumerable<TimelineLane> CandidateLanes(int projectId, GenerationJob job) =>
        job.Candidates.Where(c => c.Status == CandidateStatus.Pending).OrderBy(c => c.Index).Select(c => new TimelineLane(
            CandidateKey(c.Id), $"{job.TargetCategory.DisplayName()} #{job.Id}, variation {c.Index + 1}", c.DurationSeconds,
            $"/api/projects/{projectId}/candidates/{c.Id}/audio", $"/api/projects/{projectId}/candidates/{c.Id}/peaks", Candidate: c, Job: job));

    public static GenerationParameters? ParametersOf(GenerationJob job)
    {
        try { return JsonSerializer.Deserialize<GenerationParameters>(job.ParametersJson); }
        catch (JsonException) { return null; }
    }
}

/// <summary>
/// The mix as the page plays and exports it: per lane mute, solo and gain (dB, -inf..+12), and for each job with
/// candidates the one variation being heard (A/B switches it). A lane sounds when it is not muted, no lane is soloed or
/// it is, and (for a candidate) it is its job's chosen variation. The mix endpoint applies the same rule to stems.
/// </summary>
public sealed class LaneMix
{
    public const double MinGainDb = -60, MaxGainDb = 12;

    private readonly HashSet<string> muted = [], soloed = [];
    private readonly Dictionary<string, double> gains = [];
    private readonly Dictionary<int, int> chosenVariation = []; // job id -> candidate id

    public bool IsMuted(string key) => muted.Contains(key);

    public bool IsSolo(string key) => soloed.Contains(key);

    /// <summary>The gain in dB; <see cref="MinGainDb"/> stands for -inf (silence).</summary>
    public double GainDb(string key) => gains.GetValueOrDefault(key);

    public void SetMuted(string key, bool on) { if (on) muted.Add(key); else muted.Remove(key); }

    public void SetSolo(string key, bool on) { if (on) soloed.Add(key); else soloed.Remove(key); }

    public void SetGainDb(string key, double db) => gains[key] = Math.Clamp(double.IsFinite(db) ? db : MinGainDb, MinGainDb, MaxGainDb);

    /// <summary>The variation of <paramref name="job"/> being heard: the chosen one while it exists, else the first.</summary>
    public int? ChosenVariation(GenerationJob job)
    {
        var pending = job.Candidates.Where(c => c.Status == CandidateStatus.Pending).OrderBy(c => c.Index).ToList();
        if (pending.Count == 0) return null;
        return chosenVariation.TryGetValue(job.Id, out var id) && pending.Any(c => c.Id == id) ? id : pending[0].Id;
    }

    public void Choose(GenerationJob job, int candidateId) => chosenVariation[job.Id] = candidateId;

    /// <summary>A/B: the next pending variation of the job (after the last, the first again).</summary>
    public int? SwitchVariation(GenerationJob job)
    {
        var pending = job.Candidates.Where(c => c.Status == CandidateStatus.Pending).OrderBy(c => c.Index).Select(c => c.Id).ToList();
        if (pending.Count == 0) return null;
        var next = pending[(pending.IndexOf(ChosenVariation(job)!.Value) + 1) % pending.Count];
        chosenVariation[job.Id] = next;
        return next;
    }

    public bool Audible(TimelineLane lane, IReadOnlyCollection<TimelineLane> all)
    {
        if (muted.Contains(lane.Key)) return false;
        if (all.Any(l => soloed.Contains(l.Key)) && !soloed.Contains(lane.Key)) return false;
        return lane.Candidate is not { } c || ChosenVariation(lane.Job!) == c.Id;
    }

    public static double Linear(double db) => db <= MinGainDb ? 0 : Math.Pow(10, db / 20);

    /// <summary>What the browser's gain node of each lane is set to (0 when it does not sound).</summary>
    public IEnumerable<(string Key, double Gain)> Levels(IReadOnlyCollection<TimelineLane> lanes) =>
        lanes.Select(l => (l.Key, Audible(l, lanes) ? Linear(GainDb(l.Key)) : 0));

    public sealed record MixTrack(int StemId, double GainDb, bool Muted, bool Solo);

    /// <summary>The stems' part of the mix, as the mix endpoint takes it (-inf as a mute: JSON has no infinity).</summary>
    public IEnumerable<MixTrack> ExportTracks(IEnumerable<TimelineLane> lanes) => lanes.Where(l => l.Stem is not null).Select(l =>
        new MixTrack(l.Stem!.Id, Math.Max(GainDb(l.Key), MinGainDb), IsMuted(l.Key) || GainDb(l.Key) <= MinGainDb, IsSolo(l.Key)));
}
