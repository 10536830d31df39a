using FsCheck;
using FsCheck.Fluent;

namespace BgpKit.Bfd.Tests.Packets;

public sealed class BfdControlPacketTests
{
    // RFC 5880 4.1, no authentication: Up, P set, multiplier 3, 300 ms both ways, echo off.
    private const string UpWithPoll =
        "20" +        // Vers 1, Diag 0
        "e0" +        // Sta 3 (Up), P
        "03" +        // Detect Mult 3
        "18" +        // Length 24
        "0000abcd" +  // My Discriminator
        "12345678" +  // Your Discriminator
        "000493e0" +  // Desired Min TX 300000 us
        "000493e0" +  // Required Min RX 300000 us
        "00000000";   // Required Min Echo RX 0

    private static readonly BfdControlPacket UpWithPollPacket = new()
    {
        Version = 1,
        State = BfdState.Up,
        Poll = true,
        DetectMultiplier = 3,
        MyDiscriminator = 0xABCD,
        YourDiscriminator = 0x12345678,
        DesiredMinTxInterval = 300_000,
        RequiredMinRxInterval = 300_000,
    };

    // Down with diagnostic 1 (Control Detection Time Expired), F and D set, Simple Password "secret" key 2.
    private const string DownSimplePassword =
        "21" +              // Vers 1, Diag 1
        "56" +              // Sta 1 (Down), F, A, D
        "05" +              // Detect Mult 5
        "21" +              // Length 33 = 24 + 9
        "00000001" +        // My Discriminator
        "00000000" +        // Your Discriminator
        "000f4240" +        // Desired Min TX 1 s
        "000f4240" +        // Required Min RX 1 s
        "0000c350" +        // Required Min Echo RX 50 ms
        "01" + "09" + "02" + // Auth Type 1, Auth Len 9, Key ID 2
        "736563726574";     // "secret"

    private static readonly BfdControlPacket DownSimplePasswordPacket = new()
    {
        Version = 1,
        Diagnostic = BfdDiagnostic.ControlDetectionTimeExpired,
        State = BfdState.Down,
        Final = true,
        Demand = true,
        DetectMultiplier = 5,
        MyDiscriminator = 1,
        DesiredMinTxInterval = 1_000_000,
        RequiredMinRxInterval = 1_000_000,
        RequiredMinEchoRxInterval = 50_000,
        Authentication = new BfdAuthenticationSection(BfdAuthenticationType.SimplePassword, 2, 0, "secret"u8.ToArray()),
    };

    // Keyed SHA1 (RFC 5880 4.4), digest computed independently with Python's hashlib over the packet
    // with the key "bgpkit-sha1-key" zero-padded to 20 bytes in the digest field.
    private const string UpKeyedSha1 =
        "20c40334" +                   // Vers 1, Up, A; mult 3; Length 52
        "11223344" + "55667788" +      // discriminators
        "000493e0" + "000493e0" + "00000000" +
        "04" + "1c" + "07" + "00" +    // Auth Type 4, Len 28, Key ID 7, Reserved
        "01020304" +                   // Sequence Number
        "d741fdac5141d1f638f58ba88f71c3e20d1a1f02"; // SHA1 digest

    // Meticulous Keyed MD5 (RFC 5880 4.3), key "md5key", digest from Python's hashlib.
    private const string DownMeticulousMd5 =
        "20440530" +                   // Vers 1, Down, A; mult 5; Length 48
        "00000001" + "00000000" +
        "000f4240" + "000f4240" + "00000000" +
        "03" + "18" + "02" + "00" +    // Auth Type 3, Len 24, Key ID 2, Reserved
        "00000005" +                   // Sequence Number 5
        "0617da0a78e9d5b11b8e300613ac367f"; // MD5 digest

    public static TheoryData<string, BfdControlPacket> Vectors => new()
    {
        { UpWithPoll, UpWithPollPacket },
        { DownSimplePassword, DownSimplePasswordPacket },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Golden_vector_decodes(string hex, BfdControlPacket expected)
    {
        Assert.Equal(BfdDecodeError.None, BfdControlPacket.TryDecode(Convert.FromHexString(hex), out var packet));
        Assert.Equal(expected, packet);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Golden_vector_encodes(string hex, BfdControlPacket packet)
    {
        var buffer = new byte[BfdControlPacket.MaximumLength];
        Assert.True(packet.TryEncode(buffer, out var written));
        Assert.Equal(hex, Convert.ToHexString(buffer, 0, written), ignoreCase: true);
    }

    [Fact]
    public void Keyed_sha1_signs_and_verifies_like_an_independent_implementation()
    {
        var key = BfdAuthenticationKey.FromString(BfdAuthenticationType.KeyedSha1, 7, "bgpkit-sha1-key");
        var bytes = Convert.FromHexString(UpKeyedSha1);
        Assert.True(key.Verify(bytes));

        var signed = new byte[52];
        var packet = new BfdControlPacket
        {
            Version = 1, State = BfdState.Up, DetectMultiplier = 3, MyDiscriminator = 0x11223344, YourDiscriminator = 0x55667788,
            DesiredMinTxInterval = 300_000, RequiredMinRxInterval = 300_000,
        };
        BfdControlPacketWriter.WriteMandatory(packet, signed, 52);
        signed[1] |= 0x04;
        key.Sign(signed, 0x01020304);
        Assert.Equal(UpKeyedSha1, Convert.ToHexString(signed), ignoreCase: true);

        Assert.Equal(BfdDecodeError.None, BfdControlPacket.TryDecode(bytes, out var decoded));
        Assert.Equal(BfdAuthenticationType.KeyedSha1, decoded.Authentication!.Value.Type);
        Assert.Equal(0x01020304u, decoded.Authentication!.Value.SequenceNumber);
    }

    [Fact]
    public void Meticulous_md5_verifies_and_a_flipped_bit_or_wrong_key_fails()
    {
        var bytes = Convert.FromHexString(DownMeticulousMd5);
        var key = BfdAuthenticationKey.FromString(BfdAuthenticationType.MeticulousKeyedMd5, 2, "md5key");
        Assert.True(key.Verify(bytes));
        Assert.False(BfdAuthenticationKey.FromString(BfdAuthenticationType.MeticulousKeyedMd5, 2, "md5kez").Verify(bytes));
        Assert.False(BfdAuthenticationKey.FromString(BfdAuthenticationType.MeticulousKeyedMd5, 3, "md5key").Verify(bytes));
        Assert.False(BfdAuthenticationKey.FromString(BfdAuthenticationType.KeyedMd5, 2, "md5key").Verify(bytes));
        bytes[15] ^= 1;
        Assert.False(key.Verify(bytes));
    }

    [Fact]
    public void Simple_password_verifies_exactly()
    {
        var bytes = Convert.FromHexString(DownSimplePassword);
        Assert.True(BfdAuthenticationKey.FromString(BfdAuthenticationType.SimplePassword, 2, "secret").Verify(bytes));
        Assert.False(BfdAuthenticationKey.FromString(BfdAuthenticationType.SimplePassword, 2, "secreT").Verify(bytes));
        Assert.False(BfdAuthenticationKey.FromString(BfdAuthenticationType.SimplePassword, 2, "secrets").Verify(bytes));
        Assert.False(BfdAuthenticationKey.FromString(BfdAuthenticationType.SimplePassword, 1, "secret").Verify(bytes));
    }

    [Fact]
    public void Secrets_never_appear_in_text()
    {
        var key = BfdAuthenticationKey.FromString(BfdAuthenticationType.SimplePassword, 2, "hunter2");
        Assert.DoesNotContain("hunter2", key.ToString());
        var section = new BfdAuthenticationSection(BfdAuthenticationType.SimplePassword, 2, 0, "hunter2"u8.ToArray());
        Assert.DoesNotContain("hunter2", section.ToString());
        Assert.DoesNotContain("hunter2", (DownSimplePasswordPacket with { Authentication = section }).ToString());
        Assert.DoesNotContain("hunter2", new BfdSessionOptions(System.Net.IPAddress.Loopback, System.Net.IPAddress.Loopback) { Authentication = key }.ToString());
        var error = Assert.Throws<ArgumentException>(() => BfdAuthenticationKey.FromString(BfdAuthenticationType.SimplePassword, 1, "a-password-that-is-too-long"));
        Assert.DoesNotContain("a-password-that-is-too-long", error.Message);
    }

    [Fact]
    public void Round_trip_property()
    {
        var property = Prop.ForAll(BfdArbitraries.ValidPackets, packet =>
        {
            var buffer = new byte[BfdControlPacket.MaximumLength];
            if (!packet.TryEncode(buffer, out var written) || written != packet.Length)
            {
                return false;
            }
            var error = BfdControlPacket.TryDecode(buffer.AsSpan(0, written), out var decoded);
            var again = new byte[BfdControlPacket.MaximumLength];
            decoded.TryEncode(again, out var written2);
            // decode(encode(p)) == p, and re-encoding gives the same bytes.
            return error == BfdDecodeError.None && decoded == packet && buffer.AsSpan(0, written).SequenceEqual(again.AsSpan(0, written2));
        });
        Check.One(BfdArbitraries.Config, property);
    }

    [Fact]
    public void Short_buffer_is_refused_without_writing_past_it()
    {
        Assert.False(UpWithPollPacket.TryEncode(new byte[23], out var written));
        Assert.Equal(0, written);
    }

    [Fact]
    public void Decoding_any_prefix_or_random_bytes_never_throws()
    {
        var bytes = Convert.FromHexString(UpKeyedSha1);
        for (var n = 0; n <= bytes.Length; n++)
        {
            BfdControlPacket.TryDecode(bytes.AsSpan(0, n), out _);
        }
        var random = new Random(5880);
        var buffer = new byte[64];
        for (var i = 0; i < 20_000; i++)
        {
            random.NextBytes(buffer);
            buffer[0] = (byte)((buffer[0] & 0x1F) | 0x20);
            BfdControlPacket.TryDecode(buffer.AsSpan(0, random.Next(65)), out _);
        }
    }
}
