using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace StemGen.Web.Jobs;

/// <summary>
/// How large a candidate a worker may upload: the longest stem the upload settings allow (a candidate is never longer
/// than its context), as a WAV at the highest codec rate (EnCodec's 48 kHz), stereo, 32-bit float, plus room for the
/// header. Kestrel's default of 30 MB would refuse a stem over ~7.8 minutes after the whole GPU run.
/// </summary>
public sealed class CandidateUploadLimit(IOptions<UploadOptions> uploads)
{
    public const int HighestCodecRate = 48_000;
    private const int Channels = 2, BytesPerSample = 4, HeaderRoom = 1 << 20;

    public long MaxBytes => (long)Math.Ceiling(uploads.Value.MaxDurationSeconds * HighestCodecRate) * Channels * BytesPerSample + HeaderRoom;

    public void Apply(HttpContext http)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = MaxBytes;
    }
}
