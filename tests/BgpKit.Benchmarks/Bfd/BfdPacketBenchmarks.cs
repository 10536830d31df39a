using BenchmarkDotNet.Attributes;
using BgpKit.Bfd;

namespace BgpKit.Benchmarks.Bfd;

/// <summary>Control packet decode and encode, plain and with keyed SHA1 (RFC 5880 section 4).</summary>
[MemoryDiagnoser]
public class BfdPacketBenchmarks
{
    private readonly byte[] _plain = Convert.FromHexString("20c0031800001111000022220000c3500000c35000000000");
    private readonly byte[] _sha1 = new byte[52];
    private readonly byte[] _buffer = new byte[BfdControlPacket.MaximumLength];
    private readonly BfdAuthenticationKey _key = BfdAuthenticationKey.FromString(BfdAuthenticationType.MeticulousKeyedSha1, 1, "benchmark-key");
    private BfdControlPacket _packet;

    [GlobalSetup]
    public void Setup()
    {
        BfdControlPacket.TryDecode(_plain, out _packet);
        BfdControlPacketWriter.WriteMandatory(_packet, _sha1, 52);
        _sha1[1] |= 0x04;
        _key.Sign(_sha1, 42);
    }

    [Benchmark(Baseline = true)]
    public BfdDecodeError Decode() => BfdControlPacketReader.TryRead(_plain, copyAuthentication: false, out _, out _);

    [Benchmark]
    public bool Encode() => _packet.TryEncode(_buffer, out _);

    [Benchmark]
    public bool DecodeAndVerifySha1() =>
        BfdControlPacketReader.TryRead(_sha1, copyAuthentication: false, out _, out _) == BfdDecodeError.None && _key.Verify(_sha1);

    [Benchmark]
    public void EncodeAndSignSha1()
    {
        BfdControlPacketWriter.WriteMandatory(_packet, _buffer, 52);
        _key.Sign(_buffer, 43);
    }
}
