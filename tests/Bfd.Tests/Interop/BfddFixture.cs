using System.Net;
using BgpKit.TestSupport;

namespace BgpKit.Bfd.Tests.Interop;

/// <summary>Shared pieces of the FRR bfdd interop tests: addresses per INTEROP.md and bounded polling.</summary>
internal static class Bfdd
{
    /// <summary>bfdd's side: it binds 0.0.0.0:3784 and speaks from 127.0.0.1.</summary>
    public static readonly IPAddress DaemonAddress = IPAddress.Parse("127.0.0.1");

    /// <summary>Our side binds its own address.</summary>
    public static readonly IPAddress OurAddress = IPAddress.Parse("127.0.0.2");

    public static string PeerConfig(string options = "", int txMs = 300, int rxMs = 300, int multiplier = 3) =>
        $"bfd\n peer {OurAddress} local-address {DaemonAddress}\n  receive-interval {rxMs}\n  transmit-interval {txMs}\n  detect-multiplier {multiplier}\n{options}";

    public static bool WaitFor(Func<bool> condition, double seconds = 20) => FrrBfdd.WaitUntil(condition, TimeSpan.FromSeconds(seconds));

    public static async Task<bool> WaitForState(BfdSession session, BfdState state, double seconds = 20)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (session.State == state)
            {
                return true;
            }
            await Task.Delay(50);
        }
        return session.State == state;
    }
}
