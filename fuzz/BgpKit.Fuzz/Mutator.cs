namespace BgpKit.Fuzz;

/// <summary>Byte-level mutations in the style of AFL/libFuzzer: flips, interesting values, splices, length fields.</summary>
public sealed class Mutator(Random random)
{
    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x02, 0x03, 0x04, 0x10, 0x12, 0x13, 0x20, 0x40, 0x7F, 0x80, 0x81, 0xC0, 0xFE, 0xFF];
    private static readonly ushort[] InterestingShorts = [0, 1, 18, 19, 20, 23, 29, 255, 256, 4095, 4096, 4097, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF];

    public byte[] Mutate(byte[] seed, IReadOnlyList<byte[]> seeds)
    {
        var data = new List<byte>(seed);
        var rounds = 1 + random.Next(4);
        for (var i = 0; i < rounds; i++)
        {
            switch (random.Next(9))
            {
                case 0 when data.Count > 0:
                    var at = random.Next(data.Count);
                    data[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when data.Count > 0:
                    data[random.Next(data.Count)] = (byte)random.Next(256);
                    break;
                case 2 when data.Count > 0:
                    data[random.Next(data.Count)] = InterestingBytes[random.Next(InterestingBytes.Length)];
                    break;
                case 3:
                    var insert = new byte[1 + random.Next(8)];
                    random.NextBytes(insert);
                    data.InsertRange(random.Next(data.Count + 1), insert);
                    break;
                case 4 when data.Count > 1:
                    var start = random.Next(data.Count);
                    data.RemoveRange(start, Math.Min(data.Count - start, 1 + random.Next(16)));
                    break;
                case 5 when data.Count > 1:
                    var from = random.Next(data.Count);
                    var count = Math.Min(data.Count - from, 1 + random.Next(32));
                    data.InsertRange(random.Next(data.Count + 1), data.GetRange(from, count));
                    break;
                case 6 when data.Count > 1:
                    var keep = random.Next(data.Count);
                    data.RemoveRange(keep, data.Count - keep);
                    break;
                case 7 when seeds.Count > 0:
                    var other = seeds[random.Next(seeds.Count)];
                    if (other.Length > 0)
                    {
                        var otherFrom = random.Next(other.Length);
                        var take = Math.Min(other.Length - otherFrom, 1 + random.Next(64));
                        data.InsertRange(random.Next(data.Count + 1), other.AsSpan(otherFrom, take).ToArray());
                    }
                    break;
                case 8 when data.Count > 2:
                    var position = random.Next(data.Count - 1);
                    var value = InterestingShorts[random.Next(InterestingShorts.Length)];
                    data[position] = (byte)(value >> 8);
                    data[position + 1] = (byte)value;
                    break;
            }
        }
        return [.. data];
    }
}
