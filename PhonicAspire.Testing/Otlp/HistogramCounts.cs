namespace PhonicAspire.Testing.Otlp;

/// <summary>
/// The buckets of an explicit-bucket histogram: bucket i holds the measurements in (Bounds[i-1], Bounds[i]], the
/// last one those above the last bound. What can be said of a quantile is which bucket holds it, exactly.
/// </summary>
public sealed record HistogramCounts(IReadOnlyList<double> Bounds, IReadOnlyList<ulong> Buckets)
{
    public ulong Count => Buckets.Aggregate(0UL, (total, bucket) => total + bucket);

    public static HistogramCounts Empty(IReadOnlyList<double> bounds) => new(bounds, new ulong[bounds.Count + 1]);

    /// <summary>The measurements of this cumulative point that a later point of the same series added.</summary>
    public HistogramCounts Since(HistogramCounts earlier)
    {
        RequireSameBounds(earlier);
        return new(Bounds, [.. Buckets.Select((bucket, index) => bucket >= earlier.Buckets[index]
            ? bucket - earlier.Buckets[index]
            : throw new InvalidOperationException("A cumulative histogram lost measurements between two exports of the same series."))]);
    }

    public HistogramCounts Plus(HistogramCounts other)
    {
        RequireSameBounds(other);
        return new(Bounds, [.. Buckets.Select((bucket, index) => bucket + other.Buckets[index])]);
    }

    /// <summary>The share of the measurements at or below <paramref name="bound"/>, which must be one of the bounds.</summary>
    public double ShareAtOrBelow(double bound)
    {
        var index = Bounds.ToList().IndexOf(bound);
        if (index < 0)
        {
            throw new ArgumentException($"{bound} is not one of the histogram's bounds ({string.Join(", ", Bounds)}).", nameof(bound));
        }

        return Count == 0 ? 0 : Buckets.Take(index + 1).Aggregate(0UL, (total, bucket) => total + bucket) / (double)Count;
    }

    /// <summary>
    /// The bucket that holds the <paramref name="quantile"/> of the measurements (the smallest bucket whose running
    /// count reaches it): its lower bound (exclusive; null for the first) and its upper bound (null for the last).
    /// </summary>
    public (double? Above, double? AtMost) QuantileBucket(double quantile)
    {
        if (Count == 0)
        {
            throw new InvalidOperationException("An empty histogram has no quantiles.");
        }

        var rank = Math.Ceiling(quantile * Count);
        ulong running = 0;
        for (var index = 0; index < Buckets.Count; index++)
        {
            running += Buckets[index];
            if (running >= rank)
            {
                return (index == 0 ? null : Bounds[index - 1], index < Bounds.Count ? Bounds[index] : null);
            }
        }

        throw new InvalidOperationException("Unreachable: the running count reaches the total.");
    }

    private void RequireSameBounds(HistogramCounts other)
    {
        if (!Bounds.SequenceEqual(other.Bounds))
        {
            throw new InvalidOperationException("The two histograms have different buckets.");
        }
    }
}
