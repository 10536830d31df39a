namespace BgpKit.Bgp.Wire.Tests.Messages;

/// <summary>
/// What re-encoding a received message keeps and what it puts in canonical order (src/Bgp.Wire/README.md,
/// "Re-encoding received messages"): OPEN keeps its capabilities and their optional parameters as received;
/// UPDATE writes its path attributes in the canonical order, whatever order they arrived in.
/// </summary>
public class CanonicalOrderTests
{
    private static readonly BgpDecodeContext As4 = BgpDecodeContext.FourOctetAsDefault;

    // The path attributes of one UPDATE, each as it arrives, in the canonical order BgpKit writes.
    private static readonly string[] CanonicalAttributes =
    [
        "80 0e 1c 0002 01 10 20010db8000000000000000000000001 00 30 20010db80001", // MP_REACH_NLRI IPv6 unicast, next hop 2001:db8::1, 2001:db8:1::/48
        "80 0f 08 0002 01 20 20010db8",                                           // MP_UNREACH_NLRI IPv6 unicast, 2001:db8::/32
        "40 01 01 00",                                                            // ORIGIN IGP
        "40 02 06 02 01 0000fde8",                                                // AS_PATH AS_SEQUENCE 65000
        "40 03 04 c0000201",                                                      // NEXT_HOP 192.0.2.1
        "c0 08 04 fde80064",                                                      // COMMUNITIES 65000:100
        "c0 63 02 abcd",                                                          // unknown optional transitive type 99
    ];

    private static byte[] Update(IEnumerable<string> attributes)
    {
        var bytes = attributes.Select(Hex.Parse).SelectMany(a => a).ToArray();
        // Withdrawn Routes length 0 | Total Path Attribute Length | attributes | NLRI 10.0.0.0/24
        byte[] body = [0, 0, (byte)(bytes.Length >> 8), (byte)bytes.Length, .. bytes, 24, 10, 0, 0];
        return Hex.Message(BgpMessageType.Update, Convert.ToHexString(body));
    }

    [Fact]
    public void Update_attributes_in_any_received_order_re_encode_in_the_canonical_order()
    {
        var canonical = Hex.Of(Update(CanonicalAttributes));
        //  ORIGIN and NEXT_HOP reversed, the unknown attribute first, MP_REACH_NLRI last: as a peer may send them.
        string[] received = [CanonicalAttributes[6], CanonicalAttributes[4], CanonicalAttributes[5], CanonicalAttributes[3], CanonicalAttributes[1], CanonicalAttributes[2], CanonicalAttributes[0]];
        var update = Assert.IsType<UpdateMessage>(BgpMessage.Decode(Update(received), As4));
        Assert.Equal(ErrorAction.None, update.Action);
        Assert.Equal(canonical, Hex.Of(update.ToArray(As4)));
    }

    [Fact]
    public void Every_permutation_of_the_attributes_gives_the_same_octets()
    {
        var canonical = Hex.Of(Update(CanonicalAttributes));
        var count = 0;
        foreach (var order in Permutations(Enumerable.Range(0, CanonicalAttributes.Length).ToArray()))
        {
            var update = (UpdateMessage)BgpMessage.Decode(Update(order.Select(i => CanonicalAttributes[i])), As4);
            Assert.Equal(canonical, Hex.Of(update.ToArray(As4)));
            count++;
        }
        Assert.Equal(5040, count);
    }

    [Fact]
    public void Open_capabilities_keep_their_received_order_and_parameters()
    {
        // Neither sorted by code nor grouped in one parameter: re-encoded byte for byte.
        var bytes = Hex.Message(BgpMessageType.Open, """
            04 fde8 005a 0a000001
            1a                                  // 26 octets of optional parameters
            02 0a                               // parameter: capabilities
               41 04 0000fde8                   //   4-octet AS 65000
               80 00                            //   unknown capability 128, empty
               02 00                            //   route refresh
            02 0c                               // parameter: capabilities
               01 04 0002 00 01                 //   multiprotocol IPv6 unicast
               01 04 0001 00 01                 //   multiprotocol IPv4 unicast
            """);
        var open = Assert.IsType<OpenMessage>(BgpMessage.Decode(bytes));
        Assert.Equal(5, open.Capabilities.Count);
        Assert.IsType<FourOctetAsCapability>(open.Capabilities[0]);
        Assert.Equal(Hex.Of(bytes), Hex.Of(open.ToArray()));
    }

    private static IEnumerable<int[]> Permutations(int[] items)
    {
        if (items.Length <= 1)
        {
            yield return items;
            yield break;
        }
        for (var i = 0; i < items.Length; i++)
        {
            var rest = items.Where((_, j) => j != i).ToArray();
            foreach (var tail in Permutations(rest))
            {
                yield return [items[i], .. tail];
            }
        }
    }
}
