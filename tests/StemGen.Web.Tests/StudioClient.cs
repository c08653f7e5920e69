using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace StemGen.Web.Tests;

/// <summary>An HttpClient with cookies, that logs in through the real forms and sends the API anti-forgery header.</summary>
public sealed partial class StudioClient(HttpClient http)
{
    public HttpClient Http { get; } = http;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public async Task<HttpResponseMessage> RegisterAsync(string userName, string password, string? confirm = null) =>
        await PostFormAsync("/account/register", new() { ["userName"] = userName, ["password"] = password, ["confirmPassword"] = confirm ?? password });

    public async Task<HttpResponseMessage> LoginAsync(string userName, string password) =>
        await PostFormAsync("/account/login", new() { ["userName"] = userName, ["password"] = password });

    /// <summary>Reads the form page for its anti-forgery field, then posts the form like a browser.</summary>
    public async Task<HttpResponseMessage> PostFormAsync(string page, Dictionary<string, string> fields)
    {
        var html = await Http.GetStringAsync(page);
        var token = TokenField().Match(html);
        Assert.True(token.Success, $"no anti-forgery field on {page}");
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value);
        return await Http.PostAsync(page, new FormUrlEncodedContent(fields));
    }

    public async Task FetchApiTokenAsync()
    {
        var token = await Http.GetFromJsonAsync<JsonElement>("/api/antiforgery");
        Http.DefaultRequestHeaders.Remove("RequestVerificationToken");
        Http.DefaultRequestHeaders.Add(token.GetProperty("headerName").GetString()!, token.GetProperty("token").GetString());
    }

    public async Task<int> CreateProjectAsync(string name)
    {
        var response = await Http.PostAsJsonAsync("/api/projects", new { name });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
    }

    public async Task<HttpResponseMessage> UploadAsync(int projectId, params (string Name, byte[] Content)[] files)
    {
        using var form = new MultipartFormDataContent();
        foreach (var (name, content) in files)
        {
            var part = new ByteArrayContent(content);
            part.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
            form.Add(part, "files", name);
        }
        return await Http.PostAsync($"/api/projects/{projectId}/stems", form);
    }

    public async Task<JsonElement> GetJsonAsync(string url)
    {
        var response = await Http.GetAsync(url);
        Assert.True(response.IsSuccessStatusCode, $"GET {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
