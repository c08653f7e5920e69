using StemGen.Audio;

namespace StemGen.Evaluation.Dsp;

/// <summary>Brings audio to what an analysis wants: mono (channel mean) at a given rate (libsoxr).</summary>
public static class AnalysisAudio
{
    public static float[] MonoAt(AudioBuffer audio, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(audio);
        var mono = audio;
        if (audio.Channels > 1)
        {
            var mixed = new float[audio.Frames];
            for (var c = 0; c < audio.Channels; c++)
            {
                var ch = audio.Channel(c);
                for (var i = 0; i < mixed.Length; i++) mixed[i] += ch[i] / audio.Channels;
            }
            mono = new AudioBuffer(mixed, 1, audio.SampleRate);
        }
        if (mono.SampleRate != sampleRate && mono.Frames > 0) mono = Resampler.Resample(mono, sampleRate);
        return mono.Channel(0).ToArray();
    }
}
