using System.Text;
using System.Text.Json;
using BgpKit.Bgp.Wire;
using BgpKit.Cli.Decode;

namespace BgpKit.BgpKit.Cli.Tests.Decode;

/// <summary><c>bgpkit decode</c> prints the RFC 4486 section 4 data of a Cease/Maximum Number of Prefixes Reached.</summary>
public class NotificationJsonTests
{
    [Fact]
    public void Maximum_prefixes_reached_prints_afi_safi_and_upper_bound()
    {
        var message = NotificationMessage.MaximumPrefixesReached(AfiSafi.IPv4Unicast, 100).ToArray();
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            BgpMessageJson.WriteFromMrt(json, message, fourOctetAs: true, addPath: false, new DecodeSummary());
            json.WriteEndObject();
        }
        using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(buffer.ToArray()));
        var root = doc.RootElement;
        Assert.Equal(6, root.GetProperty("code").GetInt32());
        Assert.Equal(1, root.GetProperty("subcode").GetInt32());
        Assert.Equal("00010100000064", root.GetProperty("data").GetString());
        var limit = root.GetProperty("maximumPrefixes");
        Assert.Equal(1, limit.GetProperty("afi").GetInt32());
        Assert.Equal(1, limit.GetProperty("safi").GetInt32());
        Assert.Equal(100u, limit.GetProperty("upperBound").GetUInt32());
    }
}
