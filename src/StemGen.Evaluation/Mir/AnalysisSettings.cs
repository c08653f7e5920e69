namespace StemGen.Evaluation.Mir;

/// <summary>Rates and frame sizes of the MIR analyses (librosa-like defaults at 22.05 kHz).</summary>
public static class AnalysisSettings
{
    /// <summary>Every descriptor resamples its input to this rate first.</summary>
    public const int SampleRate = 22050;

    /// <summary>Chroma: 8192-point frames (2.7 Hz bins, enough to split semitones down to about 50 Hz) every 2048 samples (93 ms).</summary>
    public const int ChromaFft = 8192;
    public const int ChromaHop = 2048;
    public const double ChromaMinHz = 55;   // A1
    public const double ChromaMaxHz = 4200;

    /// <summary>Onset strength: 2048-point frames every 256 samples (86 frames per second).</summary>
    public const int OnsetFft = 2048;
    public const int OnsetHop = 256;
    public const int OnsetMelBands = 64;

    /// <summary>Pitch (YIN): C2..C7, 768-sample integration window every 1024 samples.</summary>
    public const double PitchMinHz = 65.41;
    public const double PitchMaxHz = 2093.0;
    public const int PitchWindow = 768;
    public const int PitchHop = 1024;

    public static double ChromaFrameRate => (double)SampleRate / ChromaHop;
    public static double OnsetFrameRate => (double)SampleRate / OnsetHop;
    public static double PitchFrameRate => (double)SampleRate / PitchHop;
}
