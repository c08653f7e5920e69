using StemGen.Audio;
using StemGen.Data;

namespace StemGen.Web.Listening;

/// <summary>
/// One drawn test example: a stem of a song and the rest of that song as its context, both one clip long.
/// <see cref="Key"/> is the source's own handle to load it again; <see cref="Description"/> is for admins.
/// </summary>
public sealed record ExampleDraw(string Song, string Key, InstrumentCategory Category, string Description);

/// <summary>A drawn example's audio: the real stem and its context (the other stems summed), same rate and length.</summary>
public sealed record ExampleAudio(AudioBuffer Stem, AudioBuffer Context);

/// <summary>
/// Where studies get their items: today imported dataset folders (<see cref="ImportedDatasetSource"/>);
/// the admin dataset pages can plug in another. Both calls throw <see cref="Data.StudioValidationException"/>
/// with a message for the admin when the dataset cannot give what is asked.
/// </summary>
public interface IStudyItemSource
{
    /// <summary>Draws <paramref name="count"/> examples of <paramref name="clipSeconds"/> from the dataset's test split: the same ones for the same seed.</summary>
    IReadOnlyList<ExampleDraw> Draw(string dataset, int count, double clipSeconds, long seed);

    ExampleAudio Load(string dataset, ExampleDraw example);
}
