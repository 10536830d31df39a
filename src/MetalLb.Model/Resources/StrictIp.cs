using System.Net;

namespace BgpKit.MetalLb.Model.Resources;

/// <summary>
/// Address parsing as Go's net.ParseIP: IPv4 only in dotted-quad form. IPAddress.TryParse also takes
/// "1.2.3" (as 1.2.0.3) and "10" (as 0.0.0.10), which a Kubernetes user never means.
/// </summary>
internal static class StrictIp
{
    public static bool TryParse(ReadOnlySpan<char> text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (text.Contains(':'))
        {
            return !text.Contains('%') && IPAddress.TryParse(text, out address);
        }
        int parts = 1;
        foreach (char c in text)
        {
            if (c == '.')
            {
                parts++;
            }
            else if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }
        return parts == 4 && IPAddress.TryParse(text, out address);
    }
}
