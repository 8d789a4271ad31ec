using System.Globalization;
using System.Text;

namespace PhonicAspire.Cli.Commands;

/// <summary>
/// A stored value as it may be printed: an event type comes from a signed body, and a line break, a terminal's escape
/// sequence or a direction override in it would forge lines of the listing, recolour the operator's terminal or
/// reorder what a line reads.
/// </summary>
internal static class TerminalText
{
    public static string Escape(string? value)
    {
        if (value is null)
        {
            return "-";
        }

        if (!value.Any(IsHidden))
        {
            return value;
        }

        var escaped = new StringBuilder(value.Length + 8);
        foreach (var character in value)
        {
            escaped.Append(IsHidden(character)
                ? string.Create(CultureInfo.InvariantCulture, $"\\u{(int)character:x4}")
                : character.ToString());
        }

        return escaped.ToString();
    }

    private static bool IsHidden(char character) =>
        char.GetUnicodeCategory(character) is UnicodeCategory.Control or UnicodeCategory.Format;
}
