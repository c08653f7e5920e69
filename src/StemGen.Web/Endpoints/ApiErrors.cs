using StemGen.Web.Data;

namespace StemGen.Web.Endpoints;

/// <summary>
/// The one mapping of the studio's errors to HTTP, on every endpoint it maps (Program.cs puts them all in one group
/// with this filter): a refusal (<see cref="StudioValidationException"/>) is a 400 ProblemDetails carrying its message,
/// a missing item (<see cref="KeyNotFoundException"/>) a 404. Anything else stays a server error.
/// </summary>
public sealed class ApiErrors : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try { return await next(context); }
        catch (Security.QuotaExceededException e) when (e.RetryAfter is { } after)
        {
            context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(after.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, detail: e.Message);
        }
        catch (Security.QuotaExceededException e) { return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, detail: e.Message); }
        catch (StudioValidationException e) { return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: e.Message); }
        catch (KeyNotFoundException) { return Results.NotFound(); }
    }
}
