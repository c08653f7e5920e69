using StemGen.Evaluation.Dsp;

namespace StemGen.Evaluation.Mir;

/// <summary>
/// Chromagram: per frame, the spectral energy (|X|^2) of every bin between 55 Hz and 4.2 kHz added to
/// the pitch class nearest its frequency (equal temperament, A4 = 440 Hz). Frames are not normalised
/// here: key estimation averages energy over time, chord estimation normalises each frame itself.
/// </summary>
public sealed class Chroma
{
    private Chroma(double[][] frames, double[] energy)
    {
        Frames = frames;
        Energy = energy;
    }

    /// <summary>[frame][12] energies, frame f centred at f * hop / rate seconds.</summary>
    public double[][] Frames { get; }

    /// <summary>Total energy of each frame within the chroma band.</summary>
    public double[] Energy { get; }

    public static double FrameRate => AnalysisSettings.ChromaFrameRate;

    /// <summary>Chroma of a mono signal at <see cref="AnalysisSettings.SampleRate"/>.</summary>
    public static Chroma Compute(float[] mono)
    {
        const int sr = AnalysisSettings.SampleRate, n = AnalysisSettings.ChromaFft;
        var magnitude = Spectrogram.Magnitude(mono, Spectrogram.PeriodicHann(n), AnalysisSettings.ChromaHop, n, center: true);
        var binClass = new int[n / 2 + 1];
        for (var k = 0; k < binClass.Length; k++)
        {
            var hz = (double)k * sr / n;
            binClass[k] = hz < AnalysisSettings.ChromaMinHz || hz > AnalysisSettings.ChromaMaxHz
                ? -1
                : ((int)Math.Round(PitchClass.MidiOf(hz)) % 12 + 12) % 12;
        }
        var frames = new double[magnitude.Length][];
        var energy = new double[magnitude.Length];
        for (var f = 0; f < magnitude.Length; f++)
        {
            var row = new double[12];
            for (var k = 0; k < binClass.Length; k++)
                if (binClass[k] >= 0) row[binClass[k]] += magnitude[f][k] * magnitude[f][k];
            frames[f] = row;
            energy[f] = row.Sum();
        }
        return new Chroma(frames, energy);
    }

    /// <summary>
    /// The clip's pitch-class profile for key finding: the sum over frames of sqrt(energy) per pitch class
    /// (magnitude-like compression, so a few loud bass notes do not outweigh the harmony; on the rendered
    /// songs of bench/StemGen.Evaluation.Bench it found 17/26 keys exactly against 15/26 for plain energy).
    /// </summary>
    public double[] Profile()
    {
        var total = new double[12];
        foreach (var row in Frames)
            for (var i = 0; i < 12; i++) total[i] += Math.Sqrt(row[i]);
        return total;
    }
}
