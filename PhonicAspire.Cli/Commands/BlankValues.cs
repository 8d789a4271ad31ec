using System.CommandLine;
using System.CommandLine.Parsing;

namespace PhonicAspire.Cli.Commands;

/// <summary>
/// Refuses a blank value where a command takes a svix id or a filter: it is most likely a shell variable that was
/// not set, and would match every dead letter, or silently requeue nothing.
/// </summary>
internal static class BlankValues
{
    public static Option<string> Refuse(Option<string> option)
    {
        option.Validators.Add(result => RefuseBlank(result, option.Name, [result.GetValueOrDefault<string>()]));
        return option;
    }

    public static Option<string[]> Refuse(Option<string[]> option)
    {
        option.Validators.Add(result => RefuseBlank(result, option.Name, result.GetValueOrDefault<string[]>() ?? []));
        return option;
    }

    public static Argument<string> Refuse(Argument<string> argument)
    {
        argument.Validators.Add(result => RefuseBlank(result, argument.Name, [result.GetValueOrDefault<string>()]));
        return argument;
    }

    private static void RefuseBlank(SymbolResult result, string name, string?[] values)
    {
        if (values.Any(value => value is not null && string.IsNullOrWhiteSpace(value)))
        {
            result.AddError($"{name} needs a value that is not blank.");
        }
    }
}
