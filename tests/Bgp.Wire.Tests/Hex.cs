using System.Text;

namespace BgpKit.Bgp.Wire.Tests;

/// <summary>Golden vectors as commented hex: whitespace and "// ..." or "# ..." comments are ignored.</summary>
internal static class Hex
{
    public static byte[] Parse(string text)
    {
        var digits = new StringBuilder();
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine;
            var comment = line.IndexOf("//", StringComparison.Ordinal);
            if (comment >= 0)
            {
                line = line[..comment];
            }
            var hash = line.IndexOf('#');
            if (hash >= 0)
            {
                line = line[..hash];
            }
            foreach (var c in line)
            {
                if (!char.IsWhiteSpace(c))
                {
                    digits.Append(c);
                }
            }
        }
        return Convert.FromHexString(digits.ToString());
    }

    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    /// <summary>An UPDATE from its three fields as commented hex; the two length fields are computed.</summary>
    public static byte[] Update(string withdrawn, string attributes, string nlri)
    {
        var w = Parse(withdrawn);
        var a = Parse(attributes);
        var n = Parse(nlri);
        var body = $"{w.Length:x4}{Convert.ToHexString(w)}{a.Length:x4}{Convert.ToHexString(a)}{Convert.ToHexString(n)}";
        return Message(BgpMessageType.Update, body);
    }

    public static byte[] Message(BgpMessageType type, string body)
    {
        var b = Parse(body);
        var m = new byte[19 + b.Length];
        m.AsSpan(0, 16).Fill(0xFF);
        m[16] = (byte)(m.Length >> 8);
        m[17] = (byte)m.Length;
        m[18] = (byte)type;
        b.CopyTo(m, 19);
        return m;
    }
}
