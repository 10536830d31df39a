namespace BgpKit.Bfd.Tests.Packets;

/// <summary>Every session-free discard of RFC 5880 section 6.8.6 has a packet that produces it.</summary>
public sealed class BfdReceptionCheckTests
{
    // A valid Down packet: Vers 1, Down, mult 3, Length 24, My Discr 1, Your Discr 0, 1 s / 1 s / 0.
    private const string Valid = "20400318" + "00000001" + "00000000" + "000f4240" + "000f4240" + "00000000";

    private static byte[] Bytes(Action<byte[]>? edit = null)
    {
        var b = Convert.FromHexString(Valid);
        edit?.Invoke(b);
        return b;
    }

    public static TheoryData<string, byte[], BfdDecodeError> Cases => new()
    {
        { "valid", Bytes(), BfdDecodeError.None },
        { "23 bytes", Bytes()[..23], BfdDecodeError.Truncated },
        { "version 0", Bytes(b => b[0] = 0x00), BfdDecodeError.BadVersion },
        { "version 2", Bytes(b => b[0] = 0x40), BfdDecodeError.BadVersion },
        { "Length 23", Bytes(b => b[3] = 23), BfdDecodeError.LengthTooSmall },
        { "A set, Length 25", Bytes(b => { b[1] |= 0x04; b[3] = 25; }), BfdDecodeError.LengthTooSmall },
        { "Length 30 > payload 24", Bytes(b => b[3] = 30), BfdDecodeError.LengthExceedsPayload },
        { "Detect Mult 0", Bytes(b => b[2] = 0), BfdDecodeError.ZeroDetectMultiplier },
        { "M bit", Bytes(b => b[1] |= 0x01), BfdDecodeError.Multipoint },
        { "My Discriminator 0", Bytes(b => b[7] = 0), BfdDecodeError.ZeroMyDiscriminator },
        { "Init with Your Discriminator 0", Bytes(b => b[1] = 0x80), BfdDecodeError.ZeroYourDiscriminator },
        { "Up with Your Discriminator 0", Bytes(b => b[1] = 0xC0), BfdDecodeError.ZeroYourDiscriminator },
        { "A set, Auth Len disagrees with Length", Bytes(b => { b[1] |= 0x04; b[3] = 24; }).Concat(new byte[] { 1, 5, 1, 0x61, 0x62, 0x63 }).Select((x, i) => i == 3 ? (byte)30 : x).ToArray(), BfdDecodeError.BadAuthenticationLength },
        { "Simple password of 0 bytes", Bytes(b => { b[1] |= 0x04; b[3] = 27; }).Concat(new byte[] { 1, 3, 1 }).ToArray(), BfdDecodeError.BadAuthenticationLength },
        { "MD5 section of 20 bytes", Bytes(b => { b[1] |= 0x04; b[3] = 44; }).Concat(new byte[] { 2, 20 }).Concat(new byte[18]).ToArray(), BfdDecodeError.BadAuthenticationLength },
        { "Auth Type 9", Bytes(b => { b[1] |= 0x04; b[3] = 28; }).Concat(new byte[] { 9, 4, 1, 0 }).ToArray(), BfdDecodeError.UnknownAuthenticationType },
        { "A clear but Length 28", Bytes(b => b[3] = 28).Concat(new byte[4]).ToArray(), BfdDecodeError.BadAuthenticationLength },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Check(string name, byte[] bytes, BfdDecodeError expected)
    {
        Assert.True(expected == BfdControlPacket.TryDecode(bytes, out _), name);
    }

    [Fact]
    public void Trailing_bytes_beyond_Length_are_ignored()
    {
        // 6.8.6 checks Length against the payload; padding after Length is not part of the packet.
        var bytes = Convert.FromHexString(Valid + "0000");
        Assert.Equal(BfdDecodeError.None, BfdControlPacket.TryDecode(bytes, out var packet));
        Assert.Equal(24, packet.Length);
    }
}
