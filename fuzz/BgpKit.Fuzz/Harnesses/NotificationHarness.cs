using BgpKit.Bgp.Wire;

namespace BgpKit.Fuzz.Harnesses;

/// <summary>
/// NOTIFICATION, ROUTE-REFRESH and KEEPALIVE: the first input octet picks the type (3, 4 or 5), the rest is the
/// body. These messages have one encoding (RFC 4271 4.4-4.5, RFC 2918 3, RFC 7313 3), so a body that decodes must
/// encode back to the very octets it came from.
/// </summary>
internal sealed class NotificationHarness : Harness
{
    private static readonly byte[] Types = [3, 4, 5];

    public override string Name => "notification";

    public override IReadOnlyList<byte[]> SyntheticSeeds() =>
        Harnesses.SyntheticSeeds.NotificationsAndRefresh().Select(m => (byte[])[(byte)Array.IndexOf(Types, m[18]), .. m.AsSpan(19)]).ToList();

    public override void Execute(byte[] input)
    {
        if (input.Length == 0)
        {
            return;
        }
        var message = UpdateHarness.Wrap(Types[input[0] % Types.Length], input[1..]);
        if (message.Length > ushort.MaxValue)
        {
            return;
        }
        foreach (var context in BgpChecks.Contexts)
        {
            BgpMessage decoded;
            try
            {
                decoded = BgpMessage.Decode(message, context);
            }
            catch (BgpWireException e)
            {
                BgpChecks.CheckOffset(e.Error, message.Length);
                continue;
            }
            var encoded = decoded.ToArray(context);
            if (!encoded.AsSpan().SequenceEqual(message))
            {
                throw new FuzzPropertyException($"{decoded.Type}: decode -> encode does not give the same octets ({Convert.ToHexString(message)} -> {Convert.ToHexString(encoded)})");
            }
        }
    }
}
