namespace PhonicAspire.Tests.Infrastructure;

/// <summary>Waits, with a bound, for something the stack does asynchronously (the worker storing a row).</summary>
public static class Eventually
{
    public static async Task<T> ReturnsAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds:0} s waiting for {what}; last value: {value}");
            }

            await Task.Delay(100);
        }
    }
}
