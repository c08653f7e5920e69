namespace StemGen.Web.Data;

/// <summary>
/// One switch of the model the studio generates with: the newest row is the model served now, the rows before it
/// are what a rollback returns to. With no row the studio serves its configured model (Generation:ModelCheckpointPath).
/// </summary>
public sealed class ServedModel
{
    public int Id { get; set; }
    /// <summary>The model's name on the models page ("models/stemgen-tiny.safetensors", "run 3").</summary>
    public required string Name { get; set; }
    /// <summary>The file's full path when it was served; workers fetch it by <see cref="Sha256"/>.</summary>
    public required string Path { get; set; }
    public required string Sha256 { get; set; }
    public long Bytes { get; set; }
    public required string CodecIdentity { get; set; }
    public long Step { get; set; }
    public int? RunId { get; set; }
    public required string ServedById { get; set; }
    public DateTime ServedAt { get; set; }
}
