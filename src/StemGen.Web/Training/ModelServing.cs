using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StemGen.Jobs;
using StemGen.Model;
using StemGen.Model.Codec;
using StemGen.Web.Data;

namespace StemGen.Web.Training;

/// <summary>What the studio generates with now, for project pages and job runners.</summary>
public sealed record ServedModelView(string Name, long? Step, int? RunId, DateTime? Since, bool IsConfiguredDefault);

/// <summary>
/// Switches the model the studio serves. Serving writes a <see cref="ServedModel"/> row (the newest row is
/// served; job runners read it when they take a job, so workers reload with their next job); a rollback
/// serves the model that was served before. Only a listed model without errors whose codec is the studio's
/// generation codec can be served. Callers check the Admin role.
/// </summary>
public sealed class ModelServing(StudioDbContext db, ModelLibrary library, ServedModelEvents events, IOptions<GenerationOptions> generation, TimeProvider clock)
{
    /// <summary>The newest switch; null while the configured model is served.</summary>
    public Task<ServedModel?> CurrentAsync(CancellationToken cancellationToken = default) =>
        db.ServedModels.AsNoTracking().OrderByDescending(m => m.Id).FirstOrDefaultAsync(cancellationToken);

    public Task<List<ServedModel>> HistoryAsync(CancellationToken cancellationToken = default) =>
        db.ServedModels.AsNoTracking().OrderByDescending(m => m.Id).ToListAsync(cancellationToken);

    public async Task<ServedModelView> DescribeAsync(CancellationToken cancellationToken = default) =>
        await CurrentAsync(cancellationToken) is { } served
            ? new ServedModelView(served.Name, served.Step, served.RunId, served.ServedAt, false)
            : new ServedModelView(ConfiguredName(), null, null, null, true);

    /// <summary>Serves the model listed as <paramref name="name"/> on the models page.</summary>
    public async Task<ServedModel> ServeAsync(string adminId, string? name, CancellationToken cancellationToken = default)
    {
        var models = await library.ListAsync(cancellationToken);
        var model = models.FirstOrDefault(m => m.Name == name?.Trim())
            ?? throw new StudioValidationException($"there is no model '{name}': choose one of {string.Join(", ", models.Select(m => m.Name))}");
        if (model.Error is not null) throw new StudioValidationException($"{model.Name} {model.Error}");
        var codecPath = ShippedModels.CodecPath(generation.Value.CodecWeightsPath);
        var codecIdentity = await Task.Run(() =>
        {
            using var codec = EncodecModel.Load(codecPath);
            return codec.ComputeIdentity();
        }, cancellationToken);
        if (model.CodecIdentity != codecIdentity)
            throw new StudioValidationException($"{model.Name} was trained on the tokens of codec {model.CodecIdentity}, but the studio generates with {Path.GetFileName(codecPath)} ({codecIdentity})");
        var (sha, bytes) = await HashAsync(model.Path, cancellationToken);
        var row = new ServedModel
        {
            Name = model.Name, Path = Path.GetFullPath(model.Path), Sha256 = sha, Bytes = bytes, CodecIdentity = model.CodecIdentity, Step = model.Step,
            RunId = model.RunId, ServedById = adminId, ServedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.ServedModels.Add(row);
        await db.SaveChangesAsync(cancellationToken);
        events.Publish(await DescribeAsync(cancellationToken));
        return row;
    }

    /// <summary>Serves again the model served before the current one (the configured model when the first switch is undone).</summary>
    public async Task<ServedModel> RollbackAsync(string adminId, CancellationToken cancellationToken = default)
    {
        var history = await db.ServedModels.AsNoTracking().OrderByDescending(m => m.Id).Take(2).ToListAsync(cancellationToken);
        if (history.Count == 0) throw new StudioValidationException("the studio serves its configured model and has never switched: there is nothing to roll back to");
        var previous = history.Count > 1 ? history[1].Name : ConfiguredName();
        return await ServeAsync(adminId, previous, cancellationToken);
    }

    /// <summary>The model as a job runner needs it; null while the configured model is served.</summary>
    public async Task<ServedModelRef?> ReferenceAsync(CancellationToken cancellationToken = default) =>
        await CurrentAsync(cancellationToken) is { } served ? new ServedModelRef(served.Name, served.Sha256, served.Bytes) : null;

    /// <summary>The file of a model that is or was served, by its SHA-256 (what workers download); null for any other.</summary>
    public async Task<string?> FileAsync(string sha256, CancellationToken cancellationToken = default)
    {
        var hash = sha256.ToLowerInvariant(); // stored lower-case
        var path = await db.ServedModels.AsNoTracking().Where(m => m.Sha256 == hash).OrderByDescending(m => m.Id)
            .Select(m => m.Path).FirstOrDefaultAsync(cancellationToken);
        return path is not null && File.Exists(path) ? path : null;
    }

    /// <summary>The configured model as the models page names it.</summary>
    private string ConfiguredName()
    {
        try
        {
            var path = Path.GetFullPath(ShippedModels.CheckpointPath(generation.Value.ModelCheckpointPath));
            return ShippedModels.ModelsFolder() is { } folder && Path.GetDirectoryName(path) == Path.GetFullPath(folder) ? $"models/{Path.GetFileName(path)}" : path;
        }
        catch (FileNotFoundException) { return "the configured model (missing)"; }
    }

    private static async Task<(string Sha, long Bytes)> HashAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        return (Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken)), file.Length);
    }
}

/// <summary>In-process fan-out of a switch of the served model to open project and admin pages.</summary>
public sealed class ServedModelEvents
{
    public event Action<ServedModelView>? Changed;

    public void Publish(ServedModelView view) => Changed?.Invoke(view);
}
