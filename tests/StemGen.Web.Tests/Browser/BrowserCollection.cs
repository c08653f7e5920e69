namespace StemGen.Web.Tests.Browser;

/// <summary>
/// The browser tests run one at a time: each starts a studio and Chromium, and the training and listening
/// ones are CPU-heavy; side by side on a small machine they starve each other's timeouts.
/// </summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection
{
    public const string Name = "Browser";
}
