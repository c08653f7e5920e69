using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StemGen.Audio;
using StemGen.Jobs;
using StemGen.Model.Generation;
using StemGen.Web.Data;
using StemGen.Web.Storage;
using StemGen.Web.Events;
using StemGen.Web.Tasks;
using StemGen.Web.Training;

namespace StemGen.Web.Listening;

/// <summary>
/// Prepares a study's items on the task kernel: draw the examples again from the stored seed, and for
/// each example and condition make the stem (the real one, the studio model's with the condition's
/// preset, or the real one over another song's context for the anchor), mix it with its context,
/// normalise the mix to the study's loudness (limited below -1 dBFS, so nothing clips), store it and
/// add the item. Items already stored (an earlier, interrupted run) are kept. The preparation's lifecycle is
/// the study's own state (<see cref="PreparationLife"/>): preparing, then open or failed.
/// </summary>
public sealed class StudyPreparationJob(
    StudioDbContext db, IServiceScopeFactory scopes, IStudyItemSource source, GeneratorHost generator, IStudioGateway studio, ModelServing serving, IBlobStore blobs,
    TaskEvents events, TaskQueue queue, IOptions<StudioOptions> studioOptions, TimeProvider clock, ILogger<StudyPreparationJob> logger)
    : TaskJob<ListeningStudy, bool>(db, events, queue, clock, logger)
{
    private const double CeilingDb = -1;

    public override TaskKind Kind => TaskKind.StudyPreparation;

    protected override Task<ListeningStudy?> FindAsync(int id, CancellationToken cancellationToken) =>
        Db.ListeningStudies.Include(s => s.Conditions).Include(s => s.Items).FirstOrDefaultAsync(s => s.Id == id, cancellationToken);

    protected override ITaskRow Life(ListeningStudy row) => new PreparationLife(row);

    public override async Task<IReadOnlyList<OpenTask>> OpenAsync(CancellationToken cancellationToken) =>
        await Db.ListeningStudies.Where(s => s.State == StudyState.Preparing).Select(s => new OpenTask(s.Id, s.HangfireJobId)).ToListAsync(cancellationToken);

    protected override async Task<bool> WorkAsync(ListeningStudy study, TaskProgress progress, CancellationToken stop)
    {
        await PrepareAsync(study, progress, stop);
        return true;
    }

    protected override void Succeeded(ListeningStudy study, bool result) => study.Phase = "ready";

    /// <summary>The work writes items through this job's context, so progress is written through another one.</summary>
    protected override async Task TickAsync(ListeningStudy study, TaskProgress progress, bool save)
    {
        (study.ProgressPercent, study.Phase) = (Math.Round(progress.Percent, 1), progress.Phase);
        Publish(study);
        if (!save) return;
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<StudioDbContext>().ListeningStudies.Where(s => s.Id == study.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.ProgressPercent, study.ProgressPercent).SetProperty(x => x.Phase, study.Phase), CancellationToken.None);
    }

    /// <summary>A study is preparing (queued or running), open (prepared) or failed; once prepared, opening and closing it is no task's business.</summary>
    private sealed class PreparationLife(ListeningStudy study) : ITaskRow
    {
        public int Id => study.Id;
        public TaskState State
        {
            get => study.State switch { StudyState.Preparing => TaskState.Running, StudyState.Failed => TaskState.Failed, _ => TaskState.Succeeded };
            set => study.State = value switch { TaskState.Queued or TaskState.Running => StudyState.Preparing, TaskState.Succeeded => StudyState.Open, _ => StudyState.Failed };
        }
        public double Percent { get => study.ProgressPercent; set => study.ProgressPercent = value; }
        public string? Phase { get => study.Phase; set => study.Phase = value; }
        public string? Error { get => study.Error; set => study.Error = value; }
        public string? HangfireJobId { get => study.HangfireJobId; set => study.HangfireJobId = value; }
        public DateTime? FinishedAt { get => null; set { } }
    }

    private async Task PrepareAsync(ListeningStudy study, TaskProgress progress, CancellationToken cancellationToken)
    {
        progress.Report(0, "drawing the examples");
        var draws = await Task.Run(() => source.Draw(study.Dataset, study.ItemsPerCondition, study.ClipSeconds, study.Seed), cancellationToken);
        var conditions = study.Conditions.OrderBy(c => c.Position).ToList();
        var total = draws.Count * conditions.Count;
        var done = study.Items.Count(i => i.BlobHash is not null);
        IStemGenerator? model = null;
        var modelName = "";

        for (var example = 0; example < draws.Count; example++)
        {
            var pending = conditions.Where(c => !study.Items.Any(i => i.ConditionId == c.Id && i.Example == example)).ToList();
            if (pending.Count == 0) continue;
            var audio = await Task.Run(() => source.Load(study.Dataset, draws[example]), cancellationToken);
            foreach (var condition in pending)
            {
                progress.Report(100.0 * done / total, $"example {example + 1} of {draws.Count}: {condition.Name}");
                AudioBuffer stem, context;
                switch (condition.Kind)
                {
                    case ConditionKind.Generated:
                        if (model is null)
                        {
                            // The served model, as generation jobs use it (studies run on the studio's own job server).
                            var served = await studio.ServedModelAsync(cancellationToken);
                            model = await generator.GetAsync(studio, served, cancellationToken);
                            modelName = served?.Name ?? (await serving.DescribeAsync(cancellationToken)).Name;
                        }
                        condition.Model ??= $"{modelName} on {model.Device}";
                        stem = await Task.Run(() => Generate(model, study, condition, example, draws[example], audio.Context, cancellationToken), cancellationToken);
                        context = audio.Context;
                        break;
                    case ConditionKind.Anchor:
                        // The real stem over the context of the next example from another song.
                        var other = Enumerable.Range(1, draws.Count - 1).Select(k => (example + k) % draws.Count)
                            .FirstOrDefault(k => draws[k].Song != draws[example].Song, -1);
                        if (other < 0) throw new StudioValidationException("the low anchor needs examples from at least two songs");
                        stem = audio.Stem;
                        context = (await Task.Run(() => source.Load(study.Dataset, draws[other]), cancellationToken)).Context;
                        break;
                    default:
                        (stem, context) = (audio.Stem, audio.Context);
                        break;
                }
                study.Items.Add(await StoreAsync(study, condition, example, draws[example].Description, stem, context, cancellationToken));
                await Db.SaveChangesAsync(cancellationToken);
                done++;
            }
        }
        progress.Report(100, "finishing");
    }

    private static AudioBuffer Generate(IStemGenerator model, ListeningStudy study, StudyCondition condition, int example, ExampleDraw draw, AudioBuffer context, CancellationToken cancellationToken)
    {
        // One seed per (study, example): each preset gets the same noise, so presets differ only by the sampler.
        var sampling = new GenerationParameters { ContextStemIds = [], Preset = condition.Preset ?? "best", Seed = unchecked((ulong)(study.Seed * 1000 + example)) }
            .ToSamplingOptions();
        var result = model.Generate(new GenerationRequest { Context = [context], Category = draw.Category, Sampling = sampling }, null, cancellationToken);
        return StemGenerator.FitLength(result.Stems[0].Audio, context.Frames);
    }

    private async Task<StudyItem> StoreAsync(ListeningStudy study, StudyCondition condition, int example, string description,
        AudioBuffer stem, AudioBuffer context, CancellationToken cancellationToken)
    {
        var mix = Mixer.Mix(stem, context).Audio;
        var normalized = Loudness.Normalize(mix, study.LoudnessLufs, ClippingGuard.Limit, CeilingDb).Audio;
        var staging = studioOptions.Value.StagingDirectory;
        Directory.CreateDirectory(staging);
        var temp = Path.Combine(staging, Guid.NewGuid().ToString("N") + ".wav");
        try
        {
            AudioFile.Write(temp, normalized, AudioWriteFormat.Wav16);
            var stored = await blobs.StoreWavAsync(temp, normalized, cancellationToken);
            return new StudyItem
            {
                StudyId = study.Id, ConditionId = condition.Id, Example = example, PublicId = NewPublicId(),
                Source = condition.Kind == ConditionKind.Anchor ? $"{description}, over another song's context" : description,
                BlobHash = stored.BlobHash, DurationSeconds = stored.DurationSeconds, Lufs = Loudness.Integrated(normalized),
            };
        }
        finally { File.Delete(temp); }
    }

    /// <summary>16 random bytes, URL-safe: says nothing about the condition, the song or the order.</summary>
    internal static string NewPublicId() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
