using System.Net;
using System.Text;
using BgpKit.Cli.Decode;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;

namespace BgpKit.BgpKit.Cli.Tests.Decode;

/// <summary>
/// The span formatters print exactly what <see cref="IPAddress.ToString()"/> printed before them: the
/// decode output is a contract, and the golden hashes cover only the addresses the corpus holds.
/// </summary>
public class PrefixTextTests
{
    /// <summary>Fixed replay seed so every run checks the same cases.</summary>
    private static readonly Config Config = Config.QuickThrowOnFailure
        .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(0x5EED_DEC0UL, 0x9E37_79B9_7F4A_7C15UL), FSharpOption<int>.None)))
        .WithMaxTest(20_000);

    /// <summary>IPv6 words, mostly zeros and edge values, so runs of zeros of every length and place come up.</summary>
    private static Gen<byte[]> Ipv6 =>
        Gen.ArrayOf(Gen.Frequency(
                (4, Gen.Constant(0)),
                (1, Gen.Constant(0xffff)),
                (1, Gen.Constant(0x5efe)),
                (1, Gen.Constant(1)),
                (3, Gen.Choose(0, 0xffff))), 8)
            .Select(words =>
            {
                var bytes = new byte[16];
                for (var i = 0; i < 8; i++)
                {
                    System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2 * i), (ushort)words[i]);
                }
                return bytes;
            });

    [Fact]
    public void Ipv6_addresses_print_as_IPAddress_prints_them()
    {
        Check.One(Config, Prop.ForAll(Ipv6.ToArbitrary(), bytes =>
        {
            Span<byte> text = stackalloc byte[PrefixText.MaxLength];
            var written = PrefixText.AddressUtf8(bytes, text);
            return Encoding.ASCII.GetString(text[..written]) == new IPAddress(bytes).ToString();
        }));
    }

    [Fact]
    public void Ipv4_addresses_print_as_IPAddress_prints_them()
    {
        Check.One(Config, Prop.ForAll(Gen.ArrayOf(Gen.Elements<byte>(0, 1, 9, 10, 99, 100, 199, 200, 255).Select(b => b), 4).ToArbitrary(), bytes =>
        {
            Span<byte> text = stackalloc byte[PrefixText.MaxLength];
            var written = PrefixText.AddressUtf8(bytes, text);
            return Encoding.ASCII.GetString(text[..written]) == new IPAddress(bytes).ToString();
        }));
    }

    [Theory]
    [InlineData(1, "0a", 8, "10.0.0.0/8")]
    [InlineData(1, "c0a801", 24, "192.168.1.0/24")]
    [InlineData(1, "", 0, "0.0.0.0/0")]
    [InlineData(1, "ffffffff", 32, "255.255.255.255/32")]
    [InlineData(2, "20010db8", 32, "2001:db8::/32")]
    [InlineData(2, "", 0, "::/0")]
    [InlineData(2, "00000000000000000000ffffc0000201", 128, "::ffff:192.0.2.1/128")]
    [InlineData(2, "20010db8000000010000000000000001", 128, "2001:db8:0:1::1/128")]
    [InlineData(25, "0a0b", 16, "10.11.0.0/16")] // an AFI that is not IPv6 prints as IPv4, as before
    public void Prefixes_print_as_address_slash_length(ushort afi, string octets, int length, string expected)
    {
        Span<byte> text = stackalloc byte[PrefixText.MaxLength];
        var written = PrefixText.FormatUtf8(afi, Convert.FromHexString(octets), length, text);
        Assert.Equal(expected, Encoding.ASCII.GetString(text[..written]));
        Assert.Equal(expected, PrefixText.Format(afi, Convert.FromHexString(octets), length));
    }
}
