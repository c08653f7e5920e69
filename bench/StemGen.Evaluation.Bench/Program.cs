using System.Diagnostics;
using System.Globalization;
using StemGen.Audio;
using StemGen.Data.Pairs;
using StemGen.Data.Slakh;
using StemGen.Evaluation.Coherence;
using StemGen.Evaluation.Fad;
using StemGen.Evaluation.Mir;

// MIR accuracy on rendered songs whose key, tempo and metre the renderer wrote into the manifest:
// for each song, the full mix of its first segment (first N seconds) is analysed; the figures are
// exact-key accuracy, MIREX key score, tempo accuracy (4 %, and allowing double/half), metre accuracy,
// and analysis speed in x real time (one thread). Usage: bench [import folder] [seconds] [max songs].
var folder = args.Length > 0 ? args[0] : "/tmp/synth1h-32k";
var seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 30;
var maxSongs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 26;
var manifest = ImportManifest.Load(folder);
var tracks = manifest.Tracks.Where(t => t.Key is not null && t.Tempo is not null && t.Segments.Count > 0).Take(maxSongs).ToList();
Console.WriteLine($"StemGen.Evaluation bench: {tracks.Count} rendered songs from {folder}, first {seconds:0} s of each full mix; .NET {Environment.Version}, {Environment.ProcessorCount} cores");
Console.WriteLine($"{"song",-18} {"key (truth)",-12} {"key (est.)",-12} {"tempo",6} {"est.",7} {"metre",5} {"est.",4}  {"x RT",6}");
int exact = 0, tempoExact = 0, tempoOctave = 0, metre = 0, metreKnown = 0;
double mirex = 0, analysisSeconds = 0, audioSeconds = 0;
foreach (var track in tracks)
{
    var segment = SegmentAudio.Load(manifest, track, track.Segments[0]);
    var frames = Math.Min(segment.Frames, (int)(seconds * segment.SampleRate));
    var mix = new AudioBuffer(segment.Mix(segment.Stems.Select(s => s.Id), 0, frames), 1, segment.SampleRate);
    var clock = Stopwatch.StartNew();
    var analysis = MirAnalysis.Of(mix);
    var elapsed = clock.Elapsed.TotalSeconds;
    analysisSeconds += elapsed;
    audioSeconds += mix.Duration.TotalSeconds;
    var truth = Key.Parse(track.Key!);
    var score = CoherenceMetrics.KeyScore(truth, analysis.Key);
    mirex += double.IsNaN(score) ? 0 : score;
    if (analysis.Key == truth) exact++;
    var tempo = track.Tempo!.Value;
    if (Math.Abs(analysis.Beats.Tempo / tempo - 1) <= 0.04) tempoExact++;
    if (CoherenceMetrics.TempoMatch(tempo, analysis.Beats.Tempo) == 1) tempoOctave++;
    var beatsPerBar = track.TimeSignature is { } ts && int.TryParse(ts.Split('/')[0], out var b) ? b : 0;
    if (beatsPerBar > 0)
    {
        metreKnown++;
        if (analysis.Beats.BeatsPerBar == beatsPerBar) metre++;
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{track.Name,-18} {truth,-12} {analysis.Key?.ToString() ?? "-",-12} {tempo,6:0} {analysis.Beats.Tempo,7:0.0} {beatsPerBar,5} {analysis.Beats.BeatsPerBar,4}  {mix.Duration.TotalSeconds / elapsed,6:0.0}"));
}
var n = tracks.Count;
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"key: exact {exact}/{n} ({100.0 * exact / n:0}%), MIREX score {mirex / n:0.00}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"tempo: within 4 % {tempoExact}/{n} ({100.0 * tempoExact / n:0}%), allowing double/half {tempoOctave}/{n} ({100.0 * tempoOctave / n:0}%)"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"beats per bar: {metre}/{metreKnown} ({100.0 * metre / Math.Max(1, metreKnown):0}%)"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"full MIR analysis: {audioSeconds / analysisSeconds:0.0} x real time (one thread)"));

// Embedding front end speed (the weight-free FAD embedding; VGGish adds its network on top).
var clip = new AudioBuffer(new float[32000 * 20], 1, 32000);
var rng = new Random(1);
for (var i = 0; i < clip.Samples.Length; i++) clip.Samples[i] = (float)(0.1 * (rng.NextDouble() * 2 - 1));
var embedding = new LogMelStatisticsEmbedding();
embedding.Embed(clip);
var t = Stopwatch.StartNew();
for (var i = 0; i < 3; i++) embedding.Embed(clip);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"logmel-stats embedding (incl. 32 -> 16 kHz resampling): {3 * 20 / t.Elapsed.TotalSeconds:0} x real time"));
