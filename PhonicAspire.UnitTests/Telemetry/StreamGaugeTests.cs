using OpenTelemetry.Metrics;
using PhonicAspire.ServiceDefaults.Telemetry;

namespace PhonicAspire.UnitTests.Telemetry;

public sealed class StreamGaugeTests
{
    [Fact]
    public async Task While_the_dead_letters_cannot_be_counted_their_gauge_reports_nothing_rather_than_its_last_count_and_the_others_go_on()
    {
        await using var telemetry = await ServiceTelemetry.StartAsync();

        telemetry.Metrics.StreamObserved(new StreamStatus(10, 4, TimeSpan.FromSeconds(2), DeadLetters: 3));
        Assert.Equal(3, Value(Assert.Single(telemetry.Collect("phonic.stream.dead_letters"))));

        telemetry.Metrics.StreamObserved(new StreamStatus(7, 2, TimeSpan.FromSeconds(1), DeadLetters: null, DeadLettersUnmeasured: "RedisServerException (WRONGTYPE)"));
        Assert.Empty(telemetry.Collect("phonic.stream.dead_letters"));
        Assert.Equal(7, Value(Assert.Single(telemetry.Collect("phonic.stream.length"))));

        telemetry.Metrics.StreamObserved(new StreamStatus(0, 0, TimeSpan.Zero, DeadLetters: 5));
        Assert.Equal(5, Value(Assert.Single(telemetry.Collect("phonic.stream.dead_letters"))));
    }

    private static long Value(MetricPoint point) => point.GetGaugeLastValueLong();
}
