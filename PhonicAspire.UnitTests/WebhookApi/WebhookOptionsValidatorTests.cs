using PhonicAspire.Testing;
using PhonicAspire.WebhookApi.Configuration;

namespace PhonicAspire.UnitTests.WebhookApi;

public sealed class WebhookOptionsValidatorTests
{
    private const string Secret = WebhookSecrets.Fixed;

    [Fact]
    public void The_defaults_with_a_secret_pass()
    {
        var result = new WebhookOptionsValidator().Validate(null, new WebhookOptions { WebhookSecrets = Secret });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    // 4 MiB + 1 bytes takes an 8 MiB buffer: under a 6 MiB budget such a body would be answered 503 busy on an idle API.
    [Fact]
    public void An_in_flight_budget_smaller_than_the_buffer_of_one_largest_body_fails_start_up_naming_both_settings()
    {
        var options = new WebhookOptions { WebhookSecrets = Secret, MaxBodyBytes = 4 * 1024 * 1024 + 1, MaxInFlightBodyBytes = 6 * 1024 * 1024 };

        var result = new WebhookOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(
            "Phonic:MaxInFlightBodyBytes (6291456) must be at least 8323072 to hold one body of Phonic:MaxBodyBytes (4194305)",
            result.FailureMessage,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(-1, false)]
    public void A_budget_that_holds_exactly_one_largest_body_passes(long margin, bool passes)
    {
        var options = new WebhookOptions { WebhookSecrets = Secret, MaxBodyBytes = 4 * 1024 * 1024 + 1, MaxInFlightBodyBytes = 8 * 1024 * 1024 - 64 * 1024 + margin };

        var result = new WebhookOptionsValidator().Validate(null, options);

        Assert.Equal(passes, result.Succeeded);
    }
}
