using System.Security.Cryptography;

namespace PhonicAspire.Testing;

/// <summary>Svix signing secrets for a stack under test.</summary>
public static class WebhookSecrets
{
    /// <summary>Fixed, so that a test can sign its deliveries without asking the stack.</summary>
    public const string Fixed = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    public static string NewRandom() => $"whsec_{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}";
}
