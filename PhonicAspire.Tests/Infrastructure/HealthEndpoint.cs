using System.Net;

namespace PhonicAspire.Tests.Infrastructure;

/// <summary>
/// A service's <c>/health</c> as the tests read it: its status and text, or status 0 and why when nothing answered,
/// so that a wait for a service still starting, or starting again, keeps waiting instead of throwing.
/// </summary>
public static class HealthEndpoint
{
    public static async Task<(HttpStatusCode Status, string Body)> ReadAsync(HttpClient client)
    {
        try
        {
            using var response = await client.GetAsync("/health");
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        catch (HttpRequestException exception)
        {
            return (0, $"no connection: {exception.Message}");
        }
        catch (TaskCanceledException exception) when (exception.InnerException is TimeoutException)
        {
            // Listening, but not answering within a request's timeout: a service starting on a loaded machine compiles
            // its whole health path first (the worker runs without tiered compilation). The wait's own bound decides.
            return (0, $"no answer within {client.Timeout.TotalSeconds:0} s");
        }
    }

    /// <summary>Waits, with a bound, until <c>/health</c> answers as <paramref name="expected"/> says; returns that answer.</summary>
    public static Task<(HttpStatusCode Status, string Body)> WaitUntilAsync(
        HttpClient client, Func<(HttpStatusCode Status, string Body), bool> expected, TimeSpan timeout, string what) =>
        Eventually.ReturnsAsync(() => ReadAsync(client), expected, timeout, what);
}
