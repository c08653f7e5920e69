using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using StemGen.Web.Jobs;

namespace StemGen.Web.Tests;

/// <summary>
/// A worker's candidate upload may be as long as the longest stem the settings allow (finding 10): Kestrel's default
/// body limit of 30 MB would refuse a stem over ~7.8 minutes after the whole GPU run. (TestServer has no body limit, so
/// this is checked where the limit is set.)
/// </summary>
public sealed class CandidateUploadLimitTests
{
    private sealed class BodySize : IHttpMaxRequestBodySizeFeature
    {
        public bool IsReadOnly => false;
        public long? MaxRequestBodySize { get; set; } = 30_000_000; // Kestrel's default
    }

    [Fact]
    public void A_candidate_as_long_as_the_longest_allowed_stem_fits_the_request_body_limit()
    {
        var uploads = new UploadOptions(); // 20 minutes by default
        var limit = new CandidateUploadLimit(Options.Create(uploads));
        var http = new DefaultHttpContext();
        var size = new BodySize();
        http.Features.Set<IHttpMaxRequestBodySizeFeature>(size);
        limit.Apply(http);

        // The longest stem as the worker writes it: 32-bit float WAV at the highest codec rate, stereo, with its header.
        var longest = (long)(uploads.MaxDurationSeconds * CandidateUploadLimit.HighestCodecRate) * 2 * 4 + 44;
        Assert.True(size.MaxRequestBodySize >= longest, $"{size.MaxRequestBodySize} < {longest}");
        Assert.True(size.MaxRequestBodySize > 30_000_000);
        // And it follows the setting: a studio that allows 1 minute takes no 20-minute body.
        var short_ = new CandidateUploadLimit(Options.Create(new UploadOptions { MaxDurationSeconds = 60 }));
        short_.Apply(http);
        Assert.True(size.MaxRequestBodySize < longest / 10);
    }
}
