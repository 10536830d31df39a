using System.Net;

namespace BgpKit.Cli.Speaker;

/// <summary>Parses the <c>ADDR:PORT</c> arguments of <c>bgpkit speaker</c>.</summary>
internal static class EndPoints
{
    /// <summary><c>ADDR:PORT</c>, <c>[v6]:PORT</c>, or <c>none</c> (null); throws with a usage message otherwise.</summary>
    public static IPEndPoint? Parse(string text, string option)
    {
        if (text.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        if (IPEndPoint.TryParse(text, out var endPoint) && endPoint.Port != 0)
        {
            return endPoint;
        }
        throw new FormatException($"{option} expects ADDR:PORT (e.g. 127.0.0.1:7473, [::]:179) or none, not '{text}'");
    }
}
