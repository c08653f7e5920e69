using System.ComponentModel;
using System.Security.Cryptography;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StemGen.Audio;
using StemGen.Jobs;
using StemGen.Model.Generation;
using StemGen.Web.Data;
using StemGen.Web.Storage;
using StemGen.Web.Training;

namespace StemGen.Web.Listening;

/// <summary>
/// Prepares a study's items as a Hangfire job: draw the examples again from the stored seed, and for
/// each example and condition make the stem (the real one, the studio model's with the condition's
/// preset, or the real one over another song's context for the anchor), mix it with its context,
/// normalise the mix to the study's loudness (limited below -1 dBFS, so nothing clips), store it and
/// add the item. Items already stored (an earlier, interrupted run) are kept; progress goes to the
/// study row and the open admin pages.
/// </summary>
public sealed class StudyPreparationJob(
    StudioDbContext db, IStudyItemSource source, GeneratorHost generator, IStudioGateway studio, ModelServing serving, IBlobStore blobs, StudyEvents events,
    IOptions<StudioOptions> studioOptions, TimeProvider clock, ILogger<StudyPreparationJob> logger)
{
    private const double CeilingDb = -1;
    private DateTimeOffset lastSaved = DateTimeOffset.MinValue;

    [DisplayName("Prepare listening study {0}")]
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(int studyId, CancellationToken cancellationToken)
    {
        var study = await db.ListeningStudies.Include(s => s.Conditions).Include(s => s.Items).FirstOrDefaultAsync(s => s.Id == studyId, cancellationToken);
        if (study is null || study.State != StudyState.Preparing) return;
        try
        {
            await PrepareAsync(study, cancellationToken);
            study.State = StudyState.Open;
            study.Phase = "ready";
            study.ProgressPercent = 100;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { throw; } // the server stops: Hangfire runs it again
        catch (Exception e)
        {
            logger.LogWarning(e, "listening study {StudyId}: preparation failed", studyId);
            db.ChangeTracker.Clear();
            study = await db.ListeningStudies.FirstAsync(s => s.Id == studyId, CancellationToken.None);
            study.State = StudyState.Failed;
            study.Phase = "failed";
            study.Error = e is StudioValidationException or GenerationRequestException or GeneratorUnavailableException or AudioFormatException
                ? e.Message : $"{e.GetType().Name}: {e.Message}";
        }
        await db.SaveChangesAsync(CancellationToken.None);
        Publish(study);
    }

    private async Task PrepareAsync(ListeningStudy study, CancellationToken cancellationToken)
    {
        Report(study, 0, "drawing the examples");
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
                Report(study, 100.0 * done / total, $"example {example + 1} of {draws.Count}: {condition.Name}");
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
                await db.SaveChangesAsync(cancellationToken);
                done++;
            }
        }
        Report(study, 100, "finishing");
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
            StoredBlob blob;
            await using (var file = File.OpenRead(temp)) blob = await blobs.PutAsync(file, cancellationToken);
            return new StudyItem
            {
                StudyId = study.Id, ConditionId = condition.Id, Example = example, PublicId = NewPublicId(),
                Source = condition.Kind == ConditionKind.Anchor ? $"{description}, over another song's context" : description,
                BlobHash = blob.Hash, DurationSeconds = normalized.Duration.TotalSeconds, Lufs = Loudness.Integrated(normalized),
            };
        }
        finally { File.Delete(temp); }
    }

    /// <summary>16 random bytes, URL-safe: says nothing about the condition, the song or the order.</summary>
    internal static string NewPublicId() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Pages hear every step; the row is written at most once a second.</summary>
    private void Report(ListeningStudy study, double percent, string phase)
    {
        study.ProgressPercent = Math.Round(percent, 1);
        study.Phase = phase;
        Publish(study);
        var now = clock.GetUtcNow();
        if (now - lastSaved < TimeSpan.FromSeconds(1)) return;
        lastSaved = now;
        db.ListeningStudies.Where(s => s.Id == study.Id).ExecuteUpdate(s => s.SetProperty(x => x.ProgressPercent, study.ProgressPercent).SetProperty(x => x.Phase, phase));
    }

    private void Publish(ListeningStudy study) =>
        events.Publish(new StudyProgressEvent(study.Id, study.State, study.ProgressPercent, study.Phase, study.Error));
}
