using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using StemGen.Web.Data;

namespace StemGen.Web.Components;

/// <summary>
/// What the studio's interactive pages share: the signed-in user, a fresh scope per action (a circuit lives long; a
/// DbContext should not), and the one way to run an action and report how it went.
/// </summary>
public abstract class StudioPage : ComponentBase
{
    [Inject] protected IServiceScopeFactory Scopes { get; set; } = default!;

    [Inject] protected ISnackbar Snackbar { get; set; } = default!;

    [CascadingParameter] protected Task<AuthenticationState> AuthState { get; set; } = default!;

    /// <summary>The signed-in user's id (pages that call this require a signed-in user).</summary>
    protected async Task<string> UserIdAsync() => ProjectAccess.UserId((await AuthState).User)!;

    /// <summary>Reads with <typeparamref name="TService"/> from a fresh scope (what a page shows: its errors are the page's errors).</summary>
    protected async Task<T> ReadAsync<TService, T>(Func<TService, Task<T>> read) where TService : notnull
    {
        await using var scope = Scopes.CreateAsyncScope();
        return await read(scope.ServiceProvider.GetRequiredService<TService>());
    }

    /// <summary>Acts with <typeparamref name="TService"/> from a fresh scope; errors go to the caller (a form that shows them beside itself).</summary>
    protected async Task UseAsync<TService>(Func<TService, Task> action) where TService : notnull
    {
        await using var scope = Scopes.CreateAsyncScope();
        await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    /// <summary>
    /// As <see cref="RunAsync{TService}"/> for an action whose result the page goes on with (a new row to open): null
    /// when it was refused or the item is gone, after saying so; no snackbar when it went through.
    /// </summary>
    protected async Task<T?> RunForAsync<TService, T>(Func<TService, Task<T>> action, string? gone = null) where TService : notnull where T : class
    {
        try
        {
            await using var scope = Scopes.CreateAsyncScope();
            return await action(scope.ServiceProvider.GetRequiredService<TService>());
        }
        catch (StudioValidationException e) { Snackbar.Add(e.Message, Severity.Error); }
        catch (KeyNotFoundException) when (gone is not null) { Snackbar.Add(gone, Severity.Warning); }
        return null;
    }

    /// <summary>
    /// Runs <paramref name="action"/> on <typeparamref name="TService"/> from a fresh scope. Done: <paramref name="done"/>
    /// as a snackbar; refused (<see cref="StudioValidationException"/>): its message; the item is gone
    /// (<see cref="KeyNotFoundException"/>): <paramref name="gone"/>. True when it went through.
    /// </summary>
    protected async Task<bool> RunAsync<TService>(Func<TService, Task> action, string done, string gone, Severity severity = Severity.Success)
        where TService : notnull
    {
        try
        {
            await using (var scope = Scopes.CreateAsyncScope()) await action(scope.ServiceProvider.GetRequiredService<TService>());
            Snackbar.Add(done, severity);
            return true;
        }
        catch (StudioValidationException e) { Snackbar.Add(e.Message, Severity.Error); }
        catch (KeyNotFoundException) { Snackbar.Add(gone, Severity.Warning); }
        return false;
    }
}
