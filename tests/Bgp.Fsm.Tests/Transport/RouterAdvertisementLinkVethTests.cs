using System.Net;
using System.Net.NetworkInformation;
using BgpKit.TestSupport;

namespace BgpKit.Bgp.Fsm.Tests.Transport;

/// <summary>
/// Two ends of a veth pair the test creates, each with a <see cref="RouterAdvertisementLink"/>: a Router Solicitation is
/// answered at once, the periodic Router Advertisement runs on the injected clock, and each end learns the other's
/// link-local address from the RAs only.
/// </summary>
[Trait("Category", "Interop")]
public sealed class RouterAdvertisementLinkVethTests
{
    [Fact]
    public async Task Each_end_learns_the_other_from_its_Router_Advertisements()
    {
        if (!NetNamespace.IsAvailable)
        {
            return;
        }
        var suffix = Guid.NewGuid().ToString("N")[..6];
        string a = $"bk{suffix}a", b = $"bk{suffix}b";
        PeerDaemon.Run("ip", "link", "add", a, "type", "veth", "peer", "name", b);
        try
        {
            PeerDaemon.Run("ip", "link", "set", a, "up");
            PeerDaemon.Run("ip", "link", "set", b, "up");
            var aAddress = await Poll.ForAsync(() => LinkLocal(a), x => x is not null, "a's link-local address out of DAD");
            var bAddress = await Poll.ForAsync(() => LinkLocal(b), x => x is not null, "b's link-local address out of DAD");
            var time = new ManualTimeProvider();
            await using var first = new RouterAdvertisementLink(a, time, TimeSpan.FromSeconds(10));
            await using var second = new RouterAdvertisementLink(b, time, TimeSpan.FromSeconds(10));

            // b's Router Solicitation made a answer with an RA at once, without any timer.
            var learned = await second.WaitNeighborAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(new IPAddress(aAddress!.GetAddressBytes(), RouterAdvertisementLink.IndexOf(b)), learned);
            // a solicited before b listened and ignores b's solicitation: it learns b only from b's periodic RA.
            Assert.Null(first.Neighbor);
            time.Advance(TimeSpan.Zero);
            await Poll.UntilAsync(() => first.Neighbor is not null, "a learns b from b's first periodic RA");
            Assert.Equal(new IPAddress(bAddress!.GetAddressBytes(), RouterAdvertisementLink.IndexOf(a)), first.Neighbor);
        }
        finally
        {
            PeerDaemon.Run("ip", "link", "del", a);
        }
    }

    private static IPAddress? LinkLocal(string device)
    {
        var ll = NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(n => n.Name == device)?
            .GetIPProperties().UnicastAddresses.FirstOrDefault(x => x.Address.IsIPv6LinkLocal);
        return ll is null || PeerDaemon.Run("ip", "-6", "addr", "show", "dev", device).Contains("tentative", StringComparison.Ordinal)
            ? null : new IPAddress(ll.Address.GetAddressBytes());
    }
}
