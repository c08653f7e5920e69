namespace StemGen.Audio;

/// <summary>Planar/interleaved copies between AudioBuffer and the layout C libraries use.</summary>
internal static class Interleaving
{
    /// <summary>Copies <paramref name="frames"/> interleaved frames into destination frames [offset, offset + frames).</summary>
    public static void Deinterleave(ReadOnlySpan<float> interleaved, AudioBuffer destination, int offset, int frames)
    {
        var channels = destination.Channels;
        if (channels == 1)
        {
            interleaved[..frames].CopyTo(destination.Channel(0).Slice(offset, frames));
            return;
        }
        if (channels == 2)
        {
            var left = destination.Channel(0).Slice(offset, frames);
            var right = destination.Channel(1).Slice(offset, frames);
            for (var i = 0; i < frames; i++)
            {
                left[i] = interleaved[2 * i];
                right[i] = interleaved[2 * i + 1];
            }
            return;
        }
        for (var c = 0; c < channels; c++)
        {
            var channel = destination.Channel(c).Slice(offset, frames);
            for (int i = 0, j = c; i < frames; i++, j += channels) channel[i] = interleaved[j];
        }
    }

    /// <summary>Copies source frames [offset, offset + frames) into interleaved order.</summary>
    public static void Interleave(AudioBuffer source, int offset, int frames, Span<float> interleaved)
    {
        var channels = source.Channels;
        if (channels == 1)
        {
            source.Channel(0).Slice(offset, frames).CopyTo(interleaved);
            return;
        }
        for (var c = 0; c < channels; c++)
        {
            var channel = source.Channel(c).Slice(offset, frames);
            for (int i = 0, j = c; i < frames; i++, j += channels) interleaved[j] = channel[i];
        }
    }
}
