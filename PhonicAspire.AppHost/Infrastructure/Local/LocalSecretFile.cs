using System.Security.Cryptography;

namespace PhonicAspire.AppHost.Infrastructure.Local;

/// <summary>
/// Generated secrets kept beside the data they protect (the data folder outlives one AppHost run, so its passwords
/// must too), in files only their owner can read from the moment they exist: created with mode 0600, never made
/// private after being written.
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
        Write(path, secret);
        return secret;
    }

    /// <summary>Creates (or replaces) <paramref name="path"/> with mode 0600 before its first byte is written.</summary>
    public static void Write(string path, string contents)
    {
        File.Delete(path);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var writer = new StreamWriter(path, options);
        writer.Write(contents);
    }
}
