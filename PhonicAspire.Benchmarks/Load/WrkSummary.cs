using System.Globalization;
using System.Text.RegularExpressions;

namespace PhonicAspire.Benchmarks.Load;

/// <summary>What wrk's summary says about a run.</summary>
/// <param name="Requests">Requests answered, whatever the status.</param>
/// <param name="NonSuccess">Answers other than 2xx or 3xx.</param>
/// <param name="SocketErrors">Requests that failed on the socket or timed out.</param>
/// <param name="Output">The whole summary, for what a script printed of its own.</param>
public sealed partial record WrkSummary(long Requests, long NonSuccess, long SocketErrors, LatencySummary Latency, string Output)
{
    public long Answered => Requests - NonSuccess;

    public long Unexpected => NonSuccess + SocketErrors;

    public static WrkSummary Parse(string output)
    {
        var requests = long.Parse(RequestsLine().Match(output) is { Success: true } match
            ? match.Groups["requests"].Value
            : throw new InvalidOperationException($"wrk's output has no request count:\n{output}"), CultureInfo.InvariantCulture);
        var nonSuccess = NonSuccessLine().Match(output) is { Success: true } non2xx
            ? long.Parse(non2xx.Groups["count"].Value, CultureInfo.InvariantCulture)
            : 0;
        var socketErrors = SocketErrorsLine().Match(output) is { Success: true } socket
            ? socket.Groups.Values.Skip(1).Sum(group => long.Parse(group.Value, CultureInfo.InvariantCulture))
            : 0;
        var latency = new LatencySummary(Percentile(output, "50"), Percentile(output, "99"), (int)Math.Min(requests - nonSuccess, int.MaxValue));
        return new WrkSummary(requests, nonSuccess, socketErrors, latency, output);
    }

    private static TimeSpan Percentile(string output, string percentile)
    {
        var match = Regex.Match(output, $@"^\s*{percentile}%\s+(?<value>[\d.]+)(?<unit>us|ms|s)\s*$", RegexOptions.Multiline);
        if (!match.Success)
        {
            throw new InvalidOperationException($"wrk's output has no {percentile}th percentile:\n{output}");
        }

        var value = double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
        return match.Groups["unit"].Value switch
        {
            "us" => TimeSpan.FromMicroseconds(value),
            "ms" => TimeSpan.FromMilliseconds(value),
            _ => TimeSpan.FromSeconds(value),
        };
    }

    [GeneratedRegex(@"^\s*(?<requests>\d+) requests in ", RegexOptions.Multiline)]
    private static partial Regex RequestsLine();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (?<count>\d+)")]
    private static partial Regex NonSuccessLine();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrorsLine();
}
