using PhonicAspire.Webhooks.Svix;

namespace PhonicAspire.UnitTests.Signatures;

public sealed class WebhookSigningKeysTests
{
    private const string Valid = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    [Theory]
    [InlineData(Valid, 1)]
    [InlineData("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", 1)]
    [InlineData($"{Valid},whsec_plJ3nmyCDGBKInavdOK15jsl", 2)]
    [InlineData($"  {Valid} ,\n\twhsec_plJ3nmyCDGBKInavdOK15jsl,, C2FVsBQIhrscChlQIMV+b5sSYspob7oD \r\n", 3)]
    public void Secrets_are_separated_by_commas_and_whitespace(string configured, int count)
    {
        Assert.Equal(count, WebhookSigningKeys.Parse(configured).Count);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ,\n, \t")]
    public void Nothing_configured_is_rejected(string? configured)
    {
        var error = Assert.Throws<FormatException>(() => WebhookSigningKeys.Parse(configured));

        Assert.Contains("No webhook signing secret", error.Message);
    }

    [Theory]
    [InlineData("whsec_", "#1 is empty after 'whsec_'", "")]
    [InlineData("whsec_!!!", "#1 is not valid base64 after 'whsec_'", "!!!")]
    [InlineData("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS", "#1 is not valid base64 after 'whsec_'", "MfKQ9r8G")]
    [InlineData($"{Valid} whsec_c2VjcmV0$$", "#2 is not valid base64 after 'whsec_'", "c2VjcmV0")]
    [InlineData($"{Valid},{Valid}, c2VjcmV0$$", "#3 is not valid base64.", "c2VjcmV0")]
    public void A_bad_secret_is_named_by_position_never_by_its_text(string configured, string expected, string secretText)
    {
        var error = Assert.Throws<FormatException>(() => WebhookSigningKeys.Parse(configured));

        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain("MfKQ9r8G", error.Message);
        if (secretText.Length > 0)
        {
            Assert.DoesNotContain(secretText, error.Message);
        }
    }

    [Fact]
    public void TryParse_reports_the_same_error_without_throwing()
    {
        Assert.False(WebhookSigningKeys.TryParse("whsec_!!!", out var keys, out var error));
        Assert.Null(keys);
        Assert.Equal(Assert.Throws<FormatException>(() => WebhookSigningKeys.Parse("whsec_!!!")).Message, error);

        Assert.True(WebhookSigningKeys.TryParse(Valid, out keys, out error));
        Assert.Equal(1, keys.Count);
        Assert.Empty(error);
    }
}
