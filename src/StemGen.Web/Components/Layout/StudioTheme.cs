using MudBlazor;

namespace StemGen.Web.Components.Layout;

/// <summary>The studio's colours in light and dark mode, and the system font stack (no web font is fetched).</summary>
public static class StudioTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#2b5b84",
            Secondary = "#b4531f",
            AppbarBackground = "#1f2a36",
            Background = "#f5f6f8",
            DrawerBackground = "#ffffff",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#7fb3e0",
            Secondary = "#f0955f",
            AppbarBackground = "#161b22",
            Background = "#0f1216",
            Surface = "#1a1f26",
            DrawerBackground = "#161b22",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica", "Arial", "sans-serif"] },
        },
    };
}
