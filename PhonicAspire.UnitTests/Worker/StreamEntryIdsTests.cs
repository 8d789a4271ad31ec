using PhonicAspire.Worker.Draining;

namespace PhonicAspire.UnitTests.Worker;

public sealed class StreamEntryIdsTests
{
    [Theory]
    [InlineData("1796596726321-5", "1796596726321-4")]
    [InlineData("1796596726321-1", "1796596726321-0")]
    [InlineData("1796596726321-0", "1796596726320-18446744073709551615")]
    [InlineData("0-1", "0-0")]
    [InlineData("18446744073709551615-18446744073709551615", "18446744073709551615-18446744073709551614")]
    public void The_id_before_an_entry_is_the_greatest_id_below_it(string id, string before) =>
        Assert.Equal(before, StreamEntryIds.Before(id));
}
