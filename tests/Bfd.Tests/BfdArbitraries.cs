using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;

namespace BgpKit.Bfd.Tests;

/// <summary>The package's one Arbitrary class: valid BFD Control packets, and a fixed-seed FsCheck config.</summary>
internal static class BfdArbitraries
{
    /// <summary>Fixed replay seed so every CI run checks the same cases.</summary>
    public static Config Config { get; } = Config.QuickThrowOnFailure
        .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(0x5EED_BFD5UL, 0x9E37_79B9_7F4A_7C15UL), FSharpOption<int>.None)))
        .WithMaxTest(400);

    private static Gen<uint> UInt32 => Gen.Choose(0, ushort.MaxValue).SelectMany(hi => Gen.Choose(0, ushort.MaxValue), (hi, lo) => ((uint)hi << 16) | (uint)lo);

    private static Gen<bool> Bool => Gen.Elements(false, true);

    private static Gen<BfdAuthenticationSection?> Authentication =>
        Gen.OneOf(
            Gen.Constant<BfdAuthenticationSection?>(null),
            Gen.Choose(1, 16).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), n))
                .SelectMany(pw => Gen.Choose(0, 255), (pw, key) => (BfdAuthenticationSection?)new BfdAuthenticationSection(BfdAuthenticationType.SimplePassword, (byte)key, 0, pw)),
            Gen.Choose(2, 5).SelectMany(t => UInt32, (t, seq) => (t, seq))
                .SelectMany(ts => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), BfdAuthenticationSection.DigestLength((BfdAuthenticationType)ts.t)),
                    (ts, digest) => (BfdAuthenticationSection?)new BfdAuthenticationSection((BfdAuthenticationType)ts.t, (byte)(ts.seq & 0xFF), ts.seq, digest)));

    /// <summary>Packets that pass every session-free reception check of RFC 5880 6.8.6.</summary>
    public static Arbitrary<BfdControlPacket> ValidPackets =>
        (from diag in Gen.Choose(0, 31)
         from state in Gen.Choose(0, 3)
         from flags in Gen.Choose(0, 15)
         from mult in Gen.Choose(1, 255)
         from my in UInt32.Where(v => v != 0)
         from your in UInt32
         from tx in UInt32
         from rx in UInt32
         from echo in UInt32
         from auth in Authentication
         select new BfdControlPacket
         {
             Version = 1,
             Diagnostic = (BfdDiagnostic)diag,
             State = (BfdState)state,
             Poll = (flags & 1) != 0,
             Final = (flags & 2) != 0,
             ControlPlaneIndependent = (flags & 4) != 0,
             Demand = (flags & 8) != 0,
             DetectMultiplier = (byte)mult,
             MyDiscriminator = my,
             // 6.8.6: Your Discriminator may be zero only in Down and AdminDown.
             YourDiscriminator = your == 0 && state >= 2 ? 1 : your,
             DesiredMinTxInterval = tx,
             RequiredMinRxInterval = rx,
             RequiredMinEchoRxInterval = echo,
             Authentication = auth,
         }).ToArbitrary();

    /// <summary>Timer wheel scripts: each integer picks an entry, an operation (schedule, cancel, advance) and an amount.</summary>
    public static Arbitrary<int[]> WheelOperations =>
        Gen.Choose(1, 300).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, int.MaxValue), n)).ToArbitrary();
}
