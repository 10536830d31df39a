using System.Diagnostics.Metrics;
using System.Net;
using BgpKit.Bgp.Wire;
using BgpKit.TestSupport;

namespace BgpKit.Bgp.Fsm.Tests.Speaker;

/// <summary>The BgpKit.Bgp meter reports FRR-K8s-named instruments per peer.</summary>
public class BgpMetricsTests
{
    [Fact]
    public async Task Session_up_and_message_counters_are_observable_per_peer()
    {
        var (a, b) = Session.TwoSpeakerTests.Pair();
        await using var _ = a;
        await using var __ = b;
        var peerB = IPAddress.Parse("127.0.0.2");
        await a.AnnounceAsync(Prefix.Parse("11.0.0.0/24"), new PathAttributes(), peerB);
        await Poll.UntilAsync(() => a.GetStatus(peerB).State == SessionState.Established && a.GetStatus(peerB).Counters.UpdatesSent > 0, "Established with an UPDATE sent");

        // Other tests' speakers in this process publish the same meter name (and may also have a peer 127.0.0.2):
        // keep every value and look for ours among them.
        var seen = new Dictionary<string, List<long>>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == BgpMetrics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "peer" && (string?)tag.Value == "127.0.0.2")
                {
                    lock (seen)
                    {
                        (seen.TryGetValue(instrument.Name, out var list) ? list : seen[instrument.Name] = []).Add(value);
                    }
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        // A sample can catch our session between two states (CI saw [0, 0, 0] once right after Established):
        // sample again until it shows Up, within a bound.
        await Poll.UntilAsync(() =>
        {
            listener.RecordObservableInstruments();
            lock (seen)
            {
                return seen.TryGetValue("bgp_session_up", out var up) && up.Contains(1);
            }
        }, "bgp_session_up 1 for 127.0.0.2", TimeSpan.FromSeconds(30));

        Assert.Contains(1, seen["bgp_session_up"]);
        Assert.Contains(seen["bgp_opens_sent"], v => v >= 1);
        Assert.Contains(seen["bgp_opens_received"], v => v >= 1);
        Assert.Contains(seen["bgp_updates_total"], v => v >= 1);
        Assert.Contains(seen["bgp_keepalives_received"], v => v >= 1);
        Assert.Contains(1, seen["bgp_announced_prefixes_total"]);
        Assert.Contains(seen["bgp_total_sent"], v => v >= 2);
        foreach (var name in new[] { "bgp_notifications_sent", "bgp_notifications_received", "bgp_route_refresh_sent", "bgp_route_refresh_received", "bgp_total_received", "bgp_received_prefixes_total", "bgp_keepalives_sent", "bgp_updates_total_received" })
        {
            Assert.True(seen.ContainsKey(name), name);
        }
    }

    [Fact]
    public async Task Prefix_limits_are_observable_per_peer_and_family()
    {
        await using var speaker = new BgpSpeaker(new BgpSpeakerOptions { LocalAs = 65001, RouterId = IPAddress.Parse("10.0.0.1"), ListenAddress = null });
        await speaker.AddPeerAsync(new BgpPeerOptions
        {
            Address = IPAddress.Parse("127.0.0.77"),
            RemoteAs = 65002,
            AutoStart = false,
            KeepAdjRibIn = true,
            PrefixLimits = [new PrefixLimit { Family = AfiSafi.IPv6Unicast, MaximumPrefixes = 1234 }],
        });
        var seen = new List<(string Name, long Value, string? Family)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == BgpMetrics.MeterName && instrument.Name.StartsWith("bgp_prefix_limit", StringComparison.Ordinal))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? peer = null, family = null;
            foreach (var tag in tags)
            {
                peer = tag.Key == "peer" ? (string?)tag.Value : peer;
                family = tag.Key == "family" ? (string?)tag.Value : family;
            }
            if (peer == "127.0.0.77")
            {
                lock (seen)
                {
                    seen.Add((instrument.Name, value, family));
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();

        Assert.Contains(("bgp_prefix_limit", 1234L, "IPv6/Unicast"), seen);
        Assert.Contains(("bgp_prefix_limit_received", 0L, "IPv6/Unicast"), seen);
        Assert.Contains(("bgp_prefix_limit_exceeded", 0L, (string?)null), seen);
        Assert.Contains(("bgp_prefix_limit_held_down", 0L, (string?)null), seen);
    }
}
