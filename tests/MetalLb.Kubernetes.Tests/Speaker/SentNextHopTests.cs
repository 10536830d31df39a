using System.Net;
using BgpKit.MetalLb.Kubernetes.Speaker;

namespace BgpKit.MetalLb.Kubernetes.Tests.Speaker;

/// <summary><c>show bgp routes</c> shows the next hop BgpSpeaker sends, not 0.0.0.0.</summary>
public sealed class SentNextHopTests
{
    [Theory]
    [InlineData("10.100.0.1/32", "127.0.0.1", "127.0.0.1")]            // IPv4 over IPv4: our end of the connection
    [InlineData("10.100.0.1/32", "::ffff:127.0.0.1", "127.0.0.1")]     // a dual-stack socket reports IPv4 mapped
    [InlineData("2001:db8::1/128", "127.0.0.1", "::ffff:127.0.0.1")]   // IPv6 over IPv4: MP_REACH carries it mapped
    [InlineData("2001:db8::1/128", "2001:db8:ff::1", "2001:db8:ff::1")]
    [InlineData("10.100.0.1/32", "2001:db8:ff::1", null)]              // NEXT_HOP needs IPv4: none to show
    [InlineData("10.100.0.1/32", null, null)]                           // no connection: nothing sent yet
    public void Is_the_sessions_local_address_in_the_prefix_family(string prefix, string? local, string? expected) =>
        Assert.Equal(expected, SpeakerBackend.SentNextHop(IPNetwork.Parse(prefix), local is null ? null : IPAddress.Parse(local))?.ToString());
}
