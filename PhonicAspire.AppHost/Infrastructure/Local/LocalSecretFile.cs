using System.Security.Cryptography;

namespace PhonicAspire.AppHost.Infrastructure.Local;

/// <summary>
/// A generated secret kept beside the data it protects: the data folder outlives one AppHost run, so its
/// password must too.
/// </summary>
internal static class LocalSecretFile
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    public static string ReadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        var secret = RandomNumberGenerator.GetString(Alphabet, 32);
        File.WriteAllText(path, secret);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return secret;
    }
}
