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

        if (!value.EnumerateRunes().Any(IsHidden))
        {
            return value;
        }

        var escaped = new StringBuilder(value.Length + 8);
        foreach (var rune in value.EnumerateRunes())
        {
            if (IsHidden(rune))
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\u{rune.Value:x4}");
            }
            else
            {
                escaped.Append(rune.ToString());
            }
        }

        return escaped.ToString();
    }

    // Controls, format characters (direction overrides, tags beyond the first plane) and the line and paragraph
    // separators, which some terminals break lines at.
    private static bool IsHidden(Rune rune) => Rune.GetUnicodeCategory(rune)
        is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
}
