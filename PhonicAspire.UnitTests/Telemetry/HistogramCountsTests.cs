using PhonicAspire.Testing.Otlp;

namespace PhonicAspire.UnitTests.Telemetry;

public sealed class HistogramCountsTests
{
    // Buckets: ≤ 10, (10, 50], (50, 100], > 100.
    private static readonly double[] Bounds = [10, 50, 100];

    [Fact]
    public void The_share_within_a_bound_counts_every_bucket_up_to_and_including_it()
    {
        var counts = new HistogramCounts(Bounds, [90, 9, 1, 0]);

        Assert.Equal(0.99, counts.ShareAtOrBelow(50), 10);
        Assert.Equal(0.90, counts.ShareAtOrBelow(10), 10);
        Assert.Equal(1.0, counts.ShareAtOrBelow(100), 10);
    }

    [Fact]
    public void An_empty_histogram_has_nothing_within_any_bound() =>
        Assert.Equal(0, HistogramCounts.Empty(Bounds).ShareAtOrBelow(50));

    [Fact]
    public void A_share_within_a_value_that_is_not_a_bound_is_refused() =>
        Assert.Throws<ArgumentException>(() => new HistogramCounts(Bounds, [1, 0, 0, 0]).ShareAtOrBelow(25));

    [Fact]
    public void The_quantile_is_in_the_first_bucket_whose_running_count_reaches_its_rank()
    {
        // 100 measurements: the 99th is the last of the (10, 50] bucket, the 100th in (50, 100].
        var counts = new HistogramCounts(Bounds, [90, 9, 1, 0]);

        Assert.Equal((null, 10), counts.QuantileBucket(0.50));
        Assert.Equal((10, 50), counts.QuantileBucket(0.99));
        Assert.Equal((50, 100), counts.QuantileBucket(1.0));
    }

    [Fact]
    public void A_quantile_past_the_last_bound_has_no_upper_bound() =>
        Assert.Equal((100, null), new HistogramCounts(Bounds, [1, 0, 0, 99]).QuantileBucket(0.99));

    [Fact]
    public void An_empty_histogram_has_no_quantile() =>
        Assert.Throws<InvalidOperationException>(() => HistogramCounts.Empty(Bounds).QuantileBucket(0.99));

    [Fact]
    public void Histograms_with_other_buckets_do_not_add_up() =>
        Assert.Throws<InvalidOperationException>(() => new HistogramCounts(Bounds, [1, 0, 0, 0]).Plus(new HistogramCounts([10, 50], [1, 0, 0])));
}
