using System.Globalization;
using System.Text;

namespace PhonicAspire.Cli.Commands;

/// <summary>
/// A stored value as it may be printed: an event type comes from a signed body, and a line break or a terminal's
/// escape sequence in it would forge lines of the listing or recolour the operator's terminal.
/// </summary>
internal static class TerminalText
{
    public static string Escape(string? value)
    {
        if (value is null)
        {
            return "-";
        }

        if (!value.Any(char.IsControl))
        {
            return value;
        }

        var escaped = new StringBuilder(value.Length + 8);
        foreach (var character in value)
        {
            escaped.Append(char.IsControl(character)
                ? string.Create(CultureInfo.InvariantCulture, $"\\u{(int)character:x4}")
                : character.ToString());
        }

        return escaped.ToString();
    }
}
