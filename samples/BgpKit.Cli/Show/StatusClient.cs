using System.Net.Http.Json;
using System.Text.Json.Serialization.Metadata;
using BgpKit.MetalLb.Kubernetes.Status;

namespace BgpKit.Cli.Show;

/// <summary>Reads the speaker's status endpoint (<c>--status ADDR:PORT</c>).</summary>
internal sealed class StatusClient : IDisposable
{
    private readonly HttpClient _http;

    public StatusClient(string endPoint)
    {
        _http = new HttpClient { BaseAddress = new Uri($"http://{endPoint}/"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public Task<string> GetRawAsync(string pathAndQuery, CancellationToken cancellationToken) =>
        _http.GetStringAsync(pathAndQuery, cancellationToken);

    public async Task<T> GetAsync<T>(string pathAndQuery, CancellationToken cancellationToken) =>
        // The source-generated metadata: the NativeAOT bgpkit has no reflection-based JSON.
        await _http.GetFromJsonAsync(pathAndQuery, (JsonTypeInfo<T>)StatusJson.Options.GetTypeInfo(typeof(T)), cancellationToken).ConfigureAwait(false)
        ?? throw new InvalidOperationException("empty response from " + pathAndQuery);

    public void Dispose() => _http.Dispose();
}
