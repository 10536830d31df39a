using System.Net;
using BgpKit.Bgp.Fsm;
using BgpKit.Bgp.Wire;
using BgpKit.MetalLb.Kubernetes.Speaker;
using BgpKit.MetalLb.Model;
using FsCheck;
using FsCheck.Fluent;

namespace BgpKit.MetalLb.Kubernetes.Tests.Speaker;

/// <summary>
/// toReceive as the plan states it (MetalLb.Model's ReceiveFilter) and as the session applies it (Bgp.Fsm's
/// PrefixFilter, which SpeakerBackend maps it to) accept exactly the same routes.
/// </summary>
public sealed class ImportFilterTests
{
    [Fact]
    public void The_session_filter_accepts_what_the_plan_says()
    {
        // Prefixes and selectors inside 10.0.0.0/8 and 2001:db8::/32 so that matches are common.
        static IPNetwork Network(Random random, bool v6, int length)
        {
            var bytes = new byte[v6 ? 16 : 4];
            random.NextBytes(bytes);
            if (v6)
            {
                bytes[0] = 0x20; bytes[1] = 0x01; bytes[2] = 0x0d; bytes[3] = 0xb8;
            }
            else
            {
                bytes[0] = 10;
                bytes[1] = (byte)random.Next(4);
            }
            return new IPNetwork(Mask(new IPAddress(bytes), length), length);
        }
        static IPAddress Mask(IPAddress address, int length)
        {
            var bytes = address.GetAddressBytes();
            for (var i = 0; i < bytes.Length * 8; i++)
            {
                if (i >= length)
                {
                    bytes[i / 8] &= (byte)~(0x80 >> (i % 8));
                }
            }
            return new IPAddress(bytes);
        }
        var gen = Gen.Choose(0, int.MaxValue / 2).Select(seed => seed);
        int accepted = 0, refused = 0;
        var property = Prop.ForAll(gen.ToArbitrary(), seed =>
        {
            var random = new Random(seed);
            var entries = Enumerable.Range(0, random.Next(4)).Select(_ =>
            {
                var v6 = random.Next(4) == 0;
                var max = v6 ? 128 : 32;
                var length = v6 ? random.Next(32, 64) : random.Next(8, 24);
                int? ge = random.Next(3) == 0 ? random.Next(length, max + 1) : null;
                int? le = random.Next(3) == 0 ? random.Next(ge ?? length, max + 1) : null;
                return new ReceivePrefix(Network(random, v6, length), ge, le);
            }).ToList();
            var plan = random.Next(8) == 0 ? ReceiveFilter.All : ReceiveFilter.Of(entries);
            var session = SpeakerBackend.ImportFilter(plan);
            for (var i = 0; i < 50; i++)
            {
                var v6 = random.Next(4) == 0;
                var candidate = Network(random, v6, v6 ? random.Next(32, 129) : random.Next(8, 33));
                var planned = plan.Accepts(candidate);
                if (planned != session.Accepts(Prefix.Parse(candidate.ToString())))
                {
                    return false;
                }
                _ = planned ? accepted++ : refused++;
            }
            return true;
        });
        Check.One(Config.QuickThrowOnFailure.WithReplay(20261207UL, 13UL).WithMaxTest(300), property);
        // Both outcomes were exercised, not only the easy "refused".
        Assert.True(accepted > 300 && refused > 300, $"accepted {accepted}, refused {refused}");
    }
}
