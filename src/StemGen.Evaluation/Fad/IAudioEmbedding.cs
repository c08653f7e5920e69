using StemGen.Audio;

namespace StemGen.Evaluation.Fad;

/// <summary>
/// Turns a clip into embeddings (one per analysis example, e.g. every 0.96 s for VGGish). FAD pools
/// the embeddings of all clips of a population. <see cref="Name"/> goes into every report, so FADs from
/// different embeddings are never compared by mistake.
/// </summary>
public interface IAudioEmbedding
{
    /// <summary>Short identifier written into reports ("vggish", "logmel-stats").</summary>
    string Name { get; }

    /// <summary>One line saying what the numbers mean and whether they compare with published FADs.</summary>
    string Description { get; }

    int Dimension { get; }

    /// <summary>Embeddings of one clip (any rate and channel count); empty when the clip is shorter than one example.</summary>
    IReadOnlyList<float[]> Embed(AudioBuffer audio);
}
