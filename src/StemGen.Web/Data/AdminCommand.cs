namespace StemGen.Web.Data;

/// <summary>
/// <c>StemGen.Web admin create NAME</c> (or <c>scripts/start.sh admin create NAME</c>): the operator's way
/// to make an admin, which a stranger on the network cannot race. Creates the account (or, if it exists,
/// unlocks it and replaces its password), makes it Admin and Listener, and prints a new password once.
/// </summary>
public static class AdminCommand
{
    /// <summary>The words after "admin" when the command line holds the command (settings such as --urls X or --Key=value may come around it); otherwise null.</summary>
    public static string[]? Find(string[] args)
    {
        var words = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith('-')) words.Add(args[i]);
            else if (!args[i].Contains('=')) i++; // "--key value"
        }
        return words is ["admin", .. var rest] ? [.. rest] : null;
    }

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output)
    {
        if (args is not ["create", var name])
        {
            output.WriteLine("usage: StemGen.Web admin create NAME   (creates or resets the admin account NAME and prints its password once)");
            return 2;
        }
        await using var scope = services.CreateAsyncScope();
        try
        {
            var password = await scope.ServiceProvider.GetRequiredService<UserRoles>().CreateAdminAsync(name);
            output.WriteLine($"Admin '{name.Trim()}' is ready. Password (shown once; change it by running this command again): {password}");
            return 0;
        }
        catch (StudioValidationException e)
        {
            output.WriteLine($"cannot make '{name}' an admin: {e.Message}");
            return 1;
        }
    }
}
