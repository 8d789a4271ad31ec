namespace PhonicAspire.Worker.Draining;

/// <summary>
/// Lua functions the stream's scripts share, each a constant to put before a script's own lines (after its shebang
/// line, if it has one). A raw string ends without a line break, which the script that follows needs.
/// </summary>
internal static class StreamScriptFunctions
{
    // XINFO GROUPS and XINFO CONSUMERS answer each group or consumer as a flat list of names and values.
    public const string FieldsOf = """
        local function fields_of(reply)
            local fields = {}
            for i = 1, #reply, 2 do fields[reply[i]] = reply[i + 1] end
            return fields
        end
        """ + "\n";
}
